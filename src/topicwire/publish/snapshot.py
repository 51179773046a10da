"""What a publish reads from the store, once: the published articles, their stories, topics and
providers, with the paths every output uses to link to them.

The renderers (records, JSON API, HTML, feeds, newsletter) are pure functions of a
:class:`Snapshot`: each returns ``{relative path under out/: bytes}`` and never touches the
store or the file system, so they can be tested on a hand-made snapshot and the publisher alone
decides what is written (see ``topicwire.publish.writer``).

Paths (relative to ``out/``, "/"-separated, pages end in ``/index.html``):

- record ``_news/YYYY-MM-DD-slug.md``; article page ``news/YYYY-MM-DD-slug/`` (``Snapshot.page``);
- topic page ``topics/<topic-id>/``; story page ``stories/<id>/``; home ``index.html``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from topicwire.model import Article, Provider, Topic
from topicwire.publish.export import record_filename
from topicwire.store import Store
from topicwire.store.stories import Member, StorySummary

#: sort key for undated articles (they go last in newest-first listings)
_OLDEST = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PublishedArticle:
    """One article as published: its row id, the article, its story and its paths."""

    id: int
    article: Article
    story_id: int | None
    #: ``YYYY-MM-DD-slug`` (unique within the snapshot)
    slug: str
    #: a syndicated copy of this article id (copies are coverage, not published on their own)
    copy_of_id: int | None = None

    @property
    def record_path(self) -> str:
        """``_news/<slug>.md``."""
        return f"_news/{self.slug}.md"

    @property
    def page_path(self) -> str:
        """``news/<slug>/`` (the article's page on the site; its file is ``index.html``)."""
        return f"news/{self.slug}/"

    @property
    def when(self) -> datetime:
        """Its publication time (undated: the epoch, so it sorts last when newest-first)."""
        return self.article.published_at or _OLDEST


@dataclass(frozen=True)
class PublishedStory:
    """A story with coverage: every article of it (published or not), the original report
    and its hourly heat history."""

    id: int
    title: str
    heat: int
    original_id: int | None
    #: article ids of the whole coverage, oldest first
    article_ids: tuple[int, ...]
    history: tuple[tuple[datetime, int], ...]
    first_published_at: datetime | None
    last_published_at: datetime | None
    provider_count: int

    @property
    def page_path(self) -> str:
        """``stories/<id>/``."""
        return f"stories/{self.id}/"


@dataclass(frozen=True)
class Snapshot:
    """Everything one publish renders (see the module docstring)."""

    title: str
    #: the site's public URL without a trailing slash ("" when unknown: links stay relative)
    base_url: str
    locale: str
    generated_at: datetime
    #: every article the snapshot holds, by id: the published ones, and with ``--all`` the rest
    articles: dict[int, PublishedArticle]
    stories: dict[int, PublishedStory]
    topics: tuple[Topic, ...]
    providers: dict[str, Provider] = field(default_factory=dict)
    #: story members that are not in ``articles`` (copies, unpublished reports): shown in their
    #: story's coverage, linking to the outlet, never given a page or record of their own
    coverage: dict[int, PublishedArticle] = field(default_factory=dict)
    #: minimum heat of the "hot" listings
    minimum_heat: int = 0
    page_size: int = 20
    max_pages: int = 9

    def published(self) -> list[PublishedArticle]:
        """Published articles, newest first (ties by id, highest first)."""
        return sorted(
            (a for a in self.articles.values() if a.article.published),
            key=lambda a: (a.when, a.id),
            reverse=True,
        )

    def in_topic(self, topic: Topic) -> list[PublishedArticle]:
        """Published articles carrying ``topic`` (by name), newest first."""
        return [a for a in self.published() if topic.name in a.article.topics]

    def hot_stories(self, limit: int | None = None) -> list[PublishedStory]:
        """Stories with at least one published article, hottest first."""
        live = [
            s
            for s in self.stories.values()
            if any(i in self.articles and self.articles[i].article.published for i in s.article_ids)
        ]
        live.sort(key=lambda s: (s.heat, s.last_published_at or _OLDEST, s.id), reverse=True)
        return live if limit is None else live[:limit]

    def member(self, article_id: int) -> PublishedArticle | None:
        """A story member: a published article, else a coverage-only one, else ``None``."""
        return self.articles.get(article_id) or self.coverage.get(article_id)

    def url(self, path: str) -> str:
        """An absolute URL for an ``out/``-relative path (relative when ``base_url`` is "")."""
        return f"{self.base_url}/{path}" if self.base_url else f"/{path}"


def slugs_for(articles: Sequence[tuple[int, Article]]) -> dict[int, str]:
    """``YYYY-MM-DD-slug`` per article id, unique (``-2``, ``-3``... by id order)."""
    taken: set[str] = set()
    return {
        article_id: record_filename(article, taken).removesuffix(".md")
        for article_id, article in sorted(articles, key=lambda pair: pair[0])
    }


def load_snapshot(
    store: Store,
    *,
    title: str,
    base_url: str = "",
    locale: str = "en-US",
    topics: Iterable[Topic] = (),
    include_unpublished: bool = False,
    minimum_heat: int = 0,
    page_size: int = 20,
    max_pages: int = 9,
    now: datetime | None = None,
) -> Snapshot:
    """Read a snapshot from the store (every article with ``include_unpublished``)."""
    stored = [s for s in store.iter_articles() if include_unpublished or s.article.published]
    slugs = slugs_for([(s.id, s.article) for s in stored])
    copies = {m.id: m.copy_of_id for m in store.story_members(ids=[s.id for s in stored])}
    articles = {
        s.id: PublishedArticle(s.id, s.article, s.story_id, slugs[s.id], copies.get(s.id))
        for s in stored
    }
    story_ids = sorted({s.story_id for s in stored if s.story_id is not None})
    members: dict[int, list[Member]] = {}
    for member in store.story_members(story_ids=story_ids):
        if member.story_id is not None:
            members.setdefault(member.story_id, []).append(member)
    summaries = store.get_stories(story_ids)
    histories = store.story_heat_histories(story_ids)
    stories = {
        story_id: _story(summary, members.get(story_id, []), histories.get(story_id, []))
        for story_id, summary in summaries.items()
    }
    outside = {m.id: m for group in members.values() for m in group if m.id not in articles}
    extra = store.get_articles(outside)
    extra_slugs = slugs_for([(i, s.article) for i, s in extra.items()])
    coverage = {
        i: PublishedArticle(i, s.article, s.story_id, extra_slugs[i], outside[i].copy_of_id)
        for i, s in extra.items()
    }
    return Snapshot(
        title=title,
        base_url=base_url.rstrip("/"),
        locale=locale,
        generated_at=(now or datetime.now(UTC)).astimezone(UTC),
        articles=articles,
        stories=stories,
        topics=tuple(topics),
        providers={p.domain: p for p in store.list_providers() if p.domain},
        coverage=coverage,
        minimum_heat=minimum_heat,
        page_size=page_size,
        max_pages=max_pages,
    )


def _story(
    summary: StorySummary, members: Sequence[Member], history: Sequence[tuple[datetime, int]]
) -> PublishedStory:
    return PublishedStory(
        id=summary.id,
        title=summary.title,
        heat=summary.heat,
        original_id=summary.original_article_id,
        article_ids=tuple(m.id for m in members),
        history=tuple(history),
        first_published_at=summary.first_published_at,
        last_published_at=summary.last_published_at,
        provider_count=summary.provider_count,
    )
