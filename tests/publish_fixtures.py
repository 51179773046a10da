"""A small, hand-made publish snapshot for the renderer tests (import it from test modules).

Two topics under an AI root, six articles in three stories, one syndicated copy, one undated
unpublished article and one whose title and excerpt carry markup an attacker would send.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from topicwire.model import Article, Image, Provider, RelatedItem, Topic
from topicwire.publish.snapshot import PublishedArticle, PublishedStory, Snapshot, slugs_for

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)

#: markup a hostile feed sends in a title and an excerpt
HOSTILE_TITLE = 'Robots <script>alert("title")</script> take over <img src=x onerror=alert(1)>'
HOSTILE_EXCERPT = 'Read <a href="javascript:alert(2)" onclick="alert(3)">this</a> <b>now</b>'


def topics() -> tuple[Topic, ...]:
    """The AI root and two subtopics."""

    def topic(id_: str, name: str, parent: str | None, *keywords: str) -> Topic:
        data: dict[str, object] = {
            "taxonomy": "topic",
            "_id": id_,
            "name": name,
            "description": f"News about {name}.",
            "keywords": list(keywords),
        }
        if parent:
            data["parent"] = parent
        return Topic.from_data(data)

    return (
        topic("ai", "AI", None, "AI", "artificial intelligence"),
        topic("robot-learning", "Robot Learning", "AI", "robot", "robotics"),
        topic("ai-policy", "AI Policy", "AI", "regulation", "audit"),
    )


def _provider(domain: str, name: str) -> Provider:
    return Provider(
        name=name,
        domain=domain,
        images=[Image(url=f"/images/logos/{domain}.png", width=64, height=64, is_cached=True)],
    )


PROVIDERS = {
    "wire.example": _provider("wire.example", "Wire Service"),
    "ledger.example": _provider("ledger.example", "The Ledger"),
    "beam.example": _provider("beam.example", "Beam Tech"),
}


def _article(
    n: int,
    title: str,
    domain: str,
    hours_ago: float | None,
    topic_names: list[str],
    *,
    excerpt: str | None = None,
    published: bool = True,
    heat: int = 40,
    quality: int = 70,
    image: bool = True,
) -> Article:
    provider = PROVIDERS[domain]
    return Article(
        category="news",
        title=title,
        excerpt=excerpt or f"Summary {n} of {title}.",
        published_at=None if hours_ago is None else NOW - timedelta(hours=hours_ago),
        original_url=f"https://{domain}/story/{n}?utm_source=feed",
        web_url=f"https://{domain}/story/{n}",
        type="article",
        quality=quality,
        heat=heat,
        published=published,
        locale="en-US",
        provider=Provider(name=provider.name, domain=provider.domain),
        topics=topic_names,
        images=(
            [
                Image(
                    url=f"/cache/images/{n}.jpg",
                    width=1200,
                    height=675,
                    is_cached=True,
                    title=f"Picture {n}",
                )
            ]
            if image
            else []
        ),
    )


def articles() -> dict[int, Article]:
    """The six articles by id."""
    robots = ["AI", "Robot Learning"]
    policy = ["AI", "AI Policy"]
    found = {
        1: _article(1, "Harbor unveils a simulation-trained arm", "wire.example", 30, robots),
        2: _article(
            2,
            "Harbor unveils a simulation-trained arm",
            "ledger.example",
            29,
            robots,
            published=False,
        ),
        3: _article(3, "Why Harbor's arm matters", "beam.example", 24, robots, quality=55),
        4: _article(4, "EU agrees AI audit rules", "beam.example", 5, policy, heat=62),
        5: _article(
            5, HOSTILE_TITLE, "ledger.example", 3, policy, excerpt=HOSTILE_EXCERPT, heat=62
        ),
        6: _article(6, "An undated note", "wire.example", None, ["AI"], published=False),
    }
    found[1].related = [
        RelatedItem(
            title=found[3].title,
            excerpt=found[3].excerpt,
            published_at=found[3].published_at,
            web_url=found[3].web_url,
            type="article",
            provider=found[3].provider,
            quality=found[3].quality,
            images=list(found[3].images),
        )
    ]
    return found


def make_snapshot(*, include_unpublished: bool = False, base_url: str = "") -> Snapshot:
    """The snapshot: stories 10 (Harbor: 1, its unpublished copy 2, 3), 20 (EU audit: 4, 5)
    and 30 (6, unpublished and undated). Article 5 carries hostile markup."""
    stored = articles()
    slugs = slugs_for(list(stored.items()))
    copies = {2: 1}
    stories = {1: 10, 2: 10, 3: 10, 4: 20, 5: 20, 6: 30}
    everything = {
        i: PublishedArticle(i, a, stories[i], slugs[i], copies.get(i)) for i, a in stored.items()
    }
    published = {i: p for i, p in everything.items() if include_unpublished or p.article.published}
    coverage = {i: p for i, p in everything.items() if i not in published}

    def history(peak: int, hours: int) -> tuple[tuple[datetime, int], ...]:
        start = NOW.replace(minute=0) - timedelta(hours=hours)
        return tuple(
            (start + timedelta(hours=h), max(0, peak - 3 * abs(h - hours // 2)))
            for h in range(hours + 1)
        )

    story_list = [
        PublishedStory(
            id=10,
            title=stored[1].title,
            heat=21,
            original_id=1,
            article_ids=(1, 2, 3),
            history=history(45, 30),
            first_published_at=stored[1].published_at,
            last_published_at=stored[3].published_at,
            provider_count=3,
        ),
        PublishedStory(
            id=20,
            title=stored[4].title,
            heat=62,
            original_id=4,
            article_ids=(4, 5),
            history=history(62, 5),
            first_published_at=stored[4].published_at,
            last_published_at=stored[5].published_at,
            provider_count=2,
        ),
        PublishedStory(
            id=30,
            title=stored[6].title,
            heat=0,
            original_id=6,
            article_ids=(6,),
            history=(),
            first_published_at=None,
            last_published_at=None,
            provider_count=1,
        ),
    ]
    return Snapshot(
        title="topicwire test site",
        base_url=base_url,
        locale="en-US",
        generated_at=NOW,
        articles=published,
        stories={s.id: s for s in story_list},
        topics=topics(),
        providers=dict(PROVIDERS),
        coverage=coverage,
        minimum_heat=30,
        page_size=2,
        max_pages=9,
    )
