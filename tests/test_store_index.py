"""``Store.article_index``: what a publish knows of every article without loading it.

The publisher keys its render cache on these fields, so each must follow the stored article:
the revision moves with every content write, the other fields are read fresh."""

from __future__ import annotations

from datetime import UTC, datetime

from topicwire.model import Article, Provider, RelatedItem, Topic
from topicwire.store import Store

WHEN = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def _article(slug: str, title: str, **changes: object) -> Article:
    fields: dict[str, object] = {
        "title": title,
        "web_url": f"https://wire.example/{slug}",
        "published_at": WHEN,
        "published": True,
        "heat": 40,
        "provider": Provider(name="Wire", domain="wire.example"),
        "topics": ["AI Policy", "AI"],
    }
    fields.update(changes)
    return Article.model_validate(fields)


def test_the_index_follows_the_stored_articles(store: Store) -> None:
    store.upsert_topics(
        [
            Topic.from_data({"taxonomy": "topic", "_id": "ai", "name": "AI"}),
            Topic.from_data(
                {"taxonomy": "topic", "_id": "ai-policy", "name": "AI Policy", "parent": "AI"}
            ),
        ]
    )
    store.upsert_providers([Provider(name="Wire", domain="wire.example")])
    target = _article("target", "The target report")
    source = _article(
        "source",
        "A report with related coverage",
        related=[
            RelatedItem(title="Elsewhere", web_url="https://other.example/x"),
            RelatedItem(title=target.title, web_url=target.web_url),
        ],
    )
    target_id, source_id = store.upsert_articles([target, source]).ids
    index = store.article_index()
    assert set(index) == {target_id, source_id}
    info = index[source_id]
    assert info.title == "A report with related coverage"
    assert info.published_at == WHEN and info.published is True and info.heat == 40
    assert info.topics == ("AI Policy", "AI")  # the article's order, by name
    assert info.domain == "wire.example"
    assert info.related_targets == ((1, target_id),)  # the second item names a stored article
    assert (info.story_id, info.copy_of_id) == (None, None)

    # a content write moves the revision; the same content again need not
    edited = source.model_copy(update={"excerpt": "Now with an excerpt."})
    store.upsert_articles([edited])
    after = store.article_index()
    assert after[source_id].revision != info.revision
    assert after[target_id].revision == index[target_id].revision

    # placement and an editor's decision are read fresh (no revision needed)
    story = store.create_story("The story")
    store.assign_story(target_id, story)
    assert store.article_index()[target_id].story_id == story
    store.set_editor_published(target_id, False)
    assert store.article_index()[target_id].published is False


def test_a_lean_read_leaves_out_only_the_text_and_the_embedding(store: Store) -> None:
    article = _article("lean", "A report with a long text", text="Every word of it. " * 400)
    (article_id,) = store.upsert_articles([article]).ids
    full = store.get_articles([article_id])[article_id].article
    lean = store.get_articles([article_id], lean=True)[article_id].article
    assert full.text and lean.text is None and lean.embedding is None
    assert lean.model_dump(exclude={"text", "embedding"}) == full.model_dump(
        exclude={"text", "embedding"}
    )
