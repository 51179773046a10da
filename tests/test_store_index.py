"""``Store.article_index``: what a publish knows of every article without loading it.

The publisher keys its render cache on these fields, so each must follow the stored article:
the revision moves with every content write, the other fields are read fresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store_fixtures import article_strategy, minimal_article, rich_article
from topicwire.model import Article, Provider, RelatedItem, Topic
from topicwire.store import Store
from topicwire.store.reading import StoredArticle

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
    # timestamps come back aware and in UTC on both backends (read off the driver's rows)
    for moment in (info.published_at, info.stored_at):
        assert moment.tzinfo is not None and moment.utcoffset() == timedelta(0)
    assert abs(info.stored_at - datetime.now(UTC)) < timedelta(minutes=5)
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


def _same(read: StoredArticle, reference: StoredArticle) -> None:
    """``read`` equals ``reference`` in every way a caller can see."""
    assert read == reference
    assert (read.id, read.story_id) == (reference.id, reference.story_id)
    assert read.article.model_dump() == reference.article.model_dump()
    assert read.article.model_fields_set == reference.article.model_fields_set
    assert list(read.article.extra) == list(reference.article.extra)
    for moment in (read.article.published_at, read.article.updated_at):
        assert moment is None or moment.utcoffset() == timedelta(0)


def _lean(stored: StoredArticle) -> StoredArticle:
    article = stored.article.model_copy(update={"text": None, "embedding": None})
    return StoredArticle(id=stored.id, article=article, story_id=stored.story_id)


def _check_batch_read(store: Store, ids: list[int]) -> None:
    """``get_articles`` (lean or not) gives what ``get_article`` (the ORM path) gives."""
    full = store.get_articles(ids)
    lean = store.get_articles(ids, lean=True)
    assert set(full) == set(lean) == set(ids)
    for article_id in ids:
        single = store.get_article(article_id)
        assert single is not None
        _same(full[article_id], single)
        _same(lean[article_id], _lean(single))
        assert lean[article_id].article.text is None
        assert lean[article_id].article.embedding is None


def test_a_batch_read_gives_what_was_stored(store: Store) -> None:
    evidence = {"keywords": [{"keyword": "alexa", "where": "title", "count": 2}], "via": "kw"}
    articles = [
        rich_article(1),
        rich_article(
            2,
            provider=None,
            text="The full text. " * 50,
            embedding=b"\x00\x00\x80?" * 8,
            topic_evidence={"AI": evidence, "Generative AI": {"via": "child:AI"}},
            repairs={"mojibake": 2},
            meta={"author": "Ana Roux", "ogType": "article"},
            quality_signals=[{"name": "substance", "contribution": 12, "reason": "412 words"}],
        ),
        rich_article(3, images=[], related=[], topics=[], extra={}, published=None),
        minimal_article(),
        _article("plain", "A plain report"),
    ]
    ids = store.upsert_articles(articles).ids
    for stored, article in zip(store.get_articles(ids).values(), articles, strict=False):
        assert stored.article == article
    assert store.get_articles(ids)[ids[1]].article.provider is None
    store.set_editor_published(ids[0], True)
    store.set_editor_published(ids[3], False)
    _check_batch_read(store, ids)
    assert store.get_articles([]) == {}
    assert store.get_articles([max(ids) + 1]) == {}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(articles=st.lists(article_strategy, min_size=1, max_size=3))
def test_any_batch_read_gives_what_was_stored(store: Store, articles: list[Article]) -> None:
    ids = store.upsert_articles(articles).ids
    read = store.get_articles(ids)
    for article_id, article in zip(ids, articles, strict=True):
        if ids.count(article_id) == 1:  # the same URL twice keeps the last
            assert read[article_id].article == article
    _check_batch_read(store, sorted(set(ids)))


def test_the_index_gives_a_time_stored_with_an_offset_as_the_same_instant_in_utc(
    store: Store,
) -> None:
    paris = timezone(timedelta(hours=2))
    local = datetime(2026, 11, 20, 11, 30, tzinfo=paris)
    (article_id,) = store.upsert_articles(
        [_article("offset", "Told in local time", published_at=local)]
    ).ids
    info = store.article_index()[article_id]
    assert info.published_at == local == WHEN
    assert info.published_at is not None and info.published_at.utcoffset() == timedelta(0)
