"""The store, on SQLite and on PostgreSQL: round-trips, idempotence, atomicity, migrations."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from hypothesis import HealthCheck, given, settings
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import OperationalError

import topicwire
from store_fixtures import (
    T0,
    article_strategy,
    backend_url,
    extra_values,
    minimal_article,
    rich_article,
)
from topicwire.errors import StoreError
from topicwire.model import Article, Image, Provider, RelatedItem, Source, Topic
from topicwire.store import Store, StoredArticle
from topicwire.store import api as store_api
from topicwire.store import articles as store_articles
from topicwire.store.codec import decode_value, encode_value
from topicwire.store.engine import (
    HEAD_REVISION,
    current_revision,
    head_revision,
    make_engine,
    migrate,
)
from topicwire.store.schema import Base


def count(store: Store, table: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


# -- round trips


def test_rich_article_round_trips(store: Store) -> None:
    given_articles = [rich_article(1), rich_article(2, topics=["AI"]), minimal_article()]
    result = store.upsert_articles(given_articles)
    assert (result.inserted, result.updated, result.unchanged) == (3, 0, 0)
    for row_id, article in zip(result.ids, given_articles, strict=True):
        stored = store.get_article(row_id)
        assert stored is not None
        assert stored.article == article
        assert list(stored.article.extra) == list(article.extra)  # key order kept
        assert stored.article.to_data() == article.to_data()
        assert list(stored.article.to_data()) == list(article.to_data())
        assert stored.article.body == article.body
        assert stored.article.secured == article.secured
        assert store.get_article(article.url or "") == stored
    assert [s.article for s in store.iter_articles()] == given_articles


def test_absent_fields_stay_absent(store: Store) -> None:
    article = minimal_article(original_url="https://example.com/o")
    (row_id,) = store.upsert_articles([article]).ids
    stored = store.get_article(row_id)
    assert stored is not None
    assert stored.article.provider is None
    assert stored.article.published is None
    assert stored.article.secured is None
    assert stored.article.to_data() == {
        "title": "Minimal",
        "originalUrl": "https://example.com/o",
        "webUrl": "https://example.com/minimal",
        "topics": [],
    }
    empty_provider = minimal_article("https://example.com/p", provider=Provider())
    (row_id,) = store.upsert_articles([empty_provider]).ids
    found = store.get_article(row_id)
    assert found is not None and found.article.provider == Provider()


def test_datetimes_come_back_aware_utc(store: Store) -> None:
    article = rich_article()
    (row_id,) = store.upsert_articles([article]).ids
    stored = store.get_article(row_id)
    assert stored is not None
    for moment in (stored.article.published_at, stored.article.updated_at):
        assert moment is not None and moment.utcoffset() == timedelta(0)
    assert stored.article.updated_at == datetime(2023, 11, 20, 20, 2, 3, tzinfo=UTC)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(article=article_strategy)
def test_any_article_round_trips(store: Store, article: Article) -> None:
    result = store.upsert_articles([article])
    stored = store.get_article(result.ids[0])
    assert stored is not None
    assert stored.article == article
    assert list(stored.article.extra) == list(article.extra)
    again = store.upsert_articles([article])
    assert (again.unchanged, again.ids) == (1, result.ids)


@given(extra_values)
def test_extra_values_encode_losslessly(value: Any) -> None:
    assert decode_value(encode_value(value)) == value


def test_codec_tags_and_dollar_keys() -> None:
    value = {"$date": "not a tag", 1: "int key", "t": (1, 2), "s": {3}, "b": b"\x00\xff"}
    encoded = encode_value({"x": value, "inf": float("inf")})
    assert decode_value(encoded) == {"x": value, "inf": float("inf")}
    with pytest.raises(StoreError, match="cannot store a value of type object"):
        encode_value(object())


# -- identity and idempotence


def test_same_batch_twice_is_idempotent(store: Store) -> None:
    batch = [rich_article(1), rich_article(2), minimal_article()]
    first = store.upsert_articles(batch)
    counts = {table: count(store, table) for table in ("articles", "images", "related_links")}
    second = store.upsert_articles(batch)
    assert (first.inserted, first.updated, first.unchanged) == (3, 0, 0)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 3)
    assert second.ids == first.ids
    assert store.count_articles() == 3
    assert {table: count(store, table) for table in counts} == counts
    assert count(store, "article_topics") == 3 + 3
    assert count(store, "providers") == 1


def test_changed_article_is_updated_and_children_replaced(store: Store) -> None:
    (row_id,) = store.upsert_articles([rich_article(1)]).ids
    changed = rich_article(
        1,
        title="New title",
        topics=["Robots", "AI"],
        images=[Image(url="https://img.example.com/only.jpg", extra={"k": "v"})],
        related=[RelatedItem(title="Only one", web_url="https://elsewhere.example/1")],
        extra={"fresh": 1},
    )
    result = store.upsert_articles([changed])
    assert (result.inserted, result.updated, result.unchanged, result.ids) == (0, 1, 0, [row_id])
    stored = store.get_article(row_id)
    assert stored is not None and stored.article == changed
    assert count(store, "images") == 1
    assert count(store, "related_links") == 1
    assert count(store, "article_topics") == 2
    emptied = changed.model_copy(update={"images": [], "related": [], "topics": []})
    store.upsert_articles([emptied])
    found = store.get_article(row_id)
    assert found is not None and found.article == emptied
    assert (
        count(store, "images") + count(store, "related_links") + count(store, "article_topics") == 0
    )


def test_canonical_url_makes_one_article(store: Store) -> None:
    first = minimal_article("https://Example.com/a?utm_source=x#frag")
    second = minimal_article("https://example.com/a", title="Second")
    assert store.upsert_articles([first]).inserted == 1
    result = store.upsert_articles([second])
    assert (result.inserted, result.updated) == (0, 1)
    assert store.count_articles() == 1
    stored = store.get_article("https://EXAMPLE.com:443/a?fbclid=1")
    assert stored is not None and stored.article == second
    assert store.get_article("https://example.com/other") is None
    assert store.get_article(12345) is None


def test_original_url_is_the_key_without_web_url(store: Store) -> None:
    article = Article(title="Only original", original_url="https://example.com/o?utm_medium=x")
    (row_id,) = store.upsert_articles([article]).ids
    assert store.get_article("https://example.com/o") == StoredArticle(row_id, article, None)


def test_same_url_twice_in_one_batch(store: Store) -> None:
    result = store.upsert_articles([minimal_article(), minimal_article(title="Later")])
    assert (result.inserted, result.updated, result.unchanged) == (1, 1, 0)
    assert result.ids[0] == result.ids[1]
    stored = store.get_article(result.ids[0])
    assert stored is not None and stored.article.title == "Later"


# -- atomicity


def test_batch_with_an_invalid_article_stores_nothing(store: Store) -> None:
    batch = [rich_article(1), rich_article(2), Article(title="No address at all")]
    with pytest.raises(StoreError, match="No address at all"):
        store.upsert_articles(batch)
    assert store.count_articles() == 0
    for table in ("images", "related_links", "article_topics", "topics", "providers"):
        assert count(store, table) == 0, table


def test_batch_failing_inside_the_database_stores_nothing(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(self: object) -> None:
        raise OperationalError("UPDATE related_links ...", {}, Exception("disk on fire"))

    monkeypatch.setattr(store_articles._Batch, "link_related", fail)
    with pytest.raises(StoreError, match="disk on fire"):
        store.upsert_articles([rich_article(1), rich_article(2)])
    monkeypatch.undo()
    assert store.count_articles() == 0
    assert count(store, "topics") + count(store, "images") == 0
    assert store.upsert_articles([rich_article(1)]).inserted == 1


#: a writer that stops inside its transaction, to be killed there
KILLED_WRITER = """
import sys, time
from store_fixtures import rich_article
from topicwire.store import Store, articles

def hang(self):
    print("inside the transaction", flush=True)
    time.sleep(120)

articles._Batch.link_related = hang
Store.open(sys.argv[1]).upsert_articles([rich_article(n) for n in range(2, 6)])
"""


def test_a_killed_writer_leaves_nothing_half_done(store_url: str) -> None:
    with Store.open(store_url) as store:
        store.upsert_articles([rich_article(1)])
    paths = [str(Path(topicwire.__file__).parents[1]), str(Path(__file__).parent)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    command = [sys.executable, "-c", KILLED_WRITER, store_url]
    with subprocess.Popen(command, stdout=subprocess.PIPE, env=env) as writer:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == b"inside the transaction"
        writer.kill()
    with Store.open(store_url) as store:
        assert store.count_articles() == 1
        assert count(store, "images") == 2 and count(store, "related_links") == 2
        batch = [rich_article(n) for n in range(1, 6)]
        result = store.upsert_articles(batch)
        assert (result.inserted, result.unchanged) == (4, 1)
        assert [stored.article for stored in store.iter_articles()] == batch


def test_nul_characters_are_refused_on_every_backend(store: Store) -> None:
    with pytest.raises(StoreError, match="NUL"):
        store.upsert_articles([minimal_article(body="bad\x00byte")])
    assert store.count_articles() == 0


# -- listing


def test_list_articles_newest_first_undated_last(store: Store) -> None:
    undated = minimal_article("https://example.com/undated")
    old = minimal_article("https://example.com/old", published_at=T0)
    new = minimal_article("https://example.com/new", published_at=T0 + timedelta(days=1))
    tie = minimal_article("https://example.com/tie", published_at=T0)
    ids = store.upsert_articles([undated, old, new, tie]).ids
    listed = store.list_articles()
    assert [item.id for item in listed] == [ids[2], ids[1], ids[3], ids[0]]
    assert [item.id for item in store.list_articles(limit=2, offset=1)] == [ids[1], ids[3]]
    assert store.count_articles() == 4


def test_iter_articles_streams_every_article_in_id_order(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_api, "PAGE", 2)
    batch = [minimal_article(f"https://example.com/{n}", title=f"n{n}") for n in range(5)]
    ids = store.upsert_articles(batch).ids
    streamed = list(store.iter_articles())
    assert [item.id for item in streamed] == sorted(ids)
    assert [item.article for item in streamed] == batch


# -- related links, topics, providers


def related_targets(store: Store) -> list[tuple[int, int | None]]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT article_id, target_article_id FROM related_links "
                "ORDER BY article_id, position"
            )
        )
        return [(int(a), None if b is None else int(b)) for a, b in rows]


def test_related_links_point_at_stored_articles(store: Store) -> None:
    pointing = minimal_article(
        "https://example.com/a",
        related=[
            RelatedItem(title="B", web_url="https://EXAMPLE.com/b?utm_source=feed"),
            RelatedItem(title="Elsewhere", web_url="https://elsewhere.example/x"),
        ],
    )
    (a_id,) = store.upsert_articles([pointing]).ids
    assert related_targets(store) == [(a_id, None), (a_id, None)]
    (b_id,) = store.upsert_articles([minimal_article("https://example.com/b")]).ids
    assert related_targets(store) == [(a_id, b_id), (a_id, None)]
    stored = store.get_article(a_id)
    assert stored is not None and stored.article == pointing


def test_topics_are_linked_by_name_and_created_with_slugs(store: Store) -> None:
    store.upsert_articles(
        [minimal_article(topics=["Generative AI", "AI", "Ünïcode 主题", "C++", "C#", "AI"])]
    )
    topics = {topic.name: topic.id for topic in store.list_topics()}
    assert topics == {
        "Generative AI": "generative-ai",
        "AI": "ai",
        "Ünïcode 主题": "unicode-主题",
        "C++": "c",
        "C#": "c-2",
    }
    stored = store.get_article("https://example.com/minimal")
    assert stored is not None
    assert stored.article.topics == ["Generative AI", "AI", "Ünïcode 主题", "C++", "C#", "AI"]


def test_taxonomy_round_trips_and_takes_over_article_topics(store: Store) -> None:
    (row_id,) = store.upsert_articles([minimal_article(topics=["Machine Learning", "AI"])]).ids
    taxonomy = [
        Topic(
            id="machine-learning",
            name="Machine Learning",
            parent="AI",
            keywords=["ml", "neural network"],
            hashtags=["#ML"],
            images=["/img/ml.png"],
            extra={"order": 2},
        ),
        Topic(id="artificial-intelligence", name="AI", description="All things AI"),
        Topic(id="robots", name="Robots", parent="Hardware"),
    ]
    store.upsert_topics(taxonomy)
    listed = {topic.id: topic for topic in store.list_topics()}
    assert listed["machine-learning"] == taxonomy[0]
    assert listed["artificial-intelligence"] == taxonomy[1]
    assert listed["robots"] == taxonomy[2]
    assert listed["hardware"] == Topic(id="hardware", name="Hardware")
    assert "ai" not in listed  # the slug row became the taxonomy's row
    stored = store.get_article(row_id)
    assert stored is not None and stored.article.topics == ["Machine Learning", "AI"]
    store.upsert_topics(taxonomy)  # again: nothing changes
    assert {topic.id: topic for topic in store.list_topics()} == listed


def test_taxonomy_merges_a_name_row_into_an_existing_id_row(store: Store) -> None:
    store.upsert_topics([Topic(id="ai", name="Artificial intelligence")])
    (row_id,) = store.upsert_articles([minimal_article(topics=["AI"])]).ids  # creates "ai-2"
    store.upsert_topics([Topic(id="ai", name="AI")])
    assert [(topic.id, topic.name) for topic in store.list_topics()] == [("ai", "AI")]
    stored = store.get_article(row_id)
    assert stored is not None and stored.article.topics == ["AI"]


def test_provider_registry_and_record_blocks(store: Store) -> None:
    block = Provider(name="CW (as the record says)", domain="computerworld.com")
    article = minimal_article(provider=block)
    store.upsert_articles([article])
    first = store.get_provider("computerworld.com")
    assert first == Provider(name="CW (as the record says)", domain="computerworld.com")
    registry = Provider(
        name="Computerworld",
        domain="computerworld.com",
        description="IT news",
        weight=1.5,
        images=[Image(url="/logos/cw.png", width=10, extra={"dark": True})],
        extra={"_id": "computerworld.com", "rss": "https://cw.example/feed"},
    )
    store.upsert_providers([registry])
    assert store.get_provider("computerworld.com") == registry
    store.upsert_articles([minimal_article(provider=block, title="changed")])
    assert store.get_provider("computerworld.com") == registry  # the registry name stays
    stored = store.get_article(article.url or "")
    assert stored is not None and stored.article.provider == block
    assert count(store, "providers") == 1
    assert store.get_provider("nowhere.example") is None
    with pytest.raises(StoreError, match="no domain"):
        store.upsert_providers([Provider(name="Anonymous")])


# -- sources, fetch log, stories


def test_sources_are_idempotent_by_url(store: Store) -> None:
    feeds = [Source(url="https://example.com/feed.xml", title="Example"), Source(url="x.opml")]
    assert store.add_sources(feeds) == 2
    assert store.add_sources(feeds) == 0
    assert store.add_sources([Source(url="x.opml", kind="opml", title="List")]) == 0
    assert [(s.url, s.kind, s.title) for s in store.list_sources()] == [
        ("https://example.com/feed.xml", "feed", "Example"),
        ("x.opml", "opml", "List"),
    ]
    assert store.get_source("missing") is None


def test_record_fetch_logs_and_counts_errors(store: Store) -> None:
    url = "https://example.com/feed.xml"
    store.add_sources([Source(url=url)])
    started = datetime(2024, 1, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    finished = started + timedelta(seconds=2)
    fetch: dict[str, Any] = {"started_at": started, "finished_at": finished}
    store.record_fetch(url, status=500, error="HTTP 500", bytes=None, **fetch)
    store.record_fetch(url, status=None, error="timeout", bytes=None, **fetch)
    source = store.get_source(url)
    assert source is not None
    assert (source.last_status, source.last_error, source.error_count) == (None, "timeout", 2)
    store.record_fetch(
        url,
        status=200,
        error=None,
        bytes=1234,
        etag='"abc"',
        **fetch,
    )
    source = store.get_source(url)
    assert source is not None
    assert (source.last_status, source.last_error, source.error_count) == (200, None, 0)
    assert source.etag == '"abc"'
    log = store.fetch_log(url)
    assert [(entry.status, entry.error, entry.bytes) for entry in log] == [
        (500, "HTTP 500", None),
        (None, "timeout", None),
        (200, None, 1234),
    ]
    assert log[0].started_at == started and log[0].started_at.tzinfo == UTC
    with pytest.raises(StoreError, match="no source"):
        store.record_fetch("https://unknown.example", status=200, error=None, bytes=0, **fetch)


def test_stories(store: Store) -> None:
    (row_id,) = store.upsert_articles([minimal_article()]).ids
    story = store.create_story("Alexa job cuts")
    store.assign_story(row_id, story)
    stored = store.get_article(row_id)
    assert stored is not None and stored.story_id == story
    assert store.upsert_articles([minimal_article()]).unchanged == 1
    assert store.list_articles()[0].story_id == story
    with pytest.raises(StoreError, match="no story"):
        store.assign_story(row_id, story + 100)
    with pytest.raises(StoreError, match="no article"):
        store.assign_story(row_id + 100, story)
    store.assign_story(row_id, None)
    assert store.list_articles()[0].story_id is None


# -- the database itself


def test_migrations_reach_head_with_no_difference_from_the_schema(store: Store) -> None:
    assert current_revision(store.engine) == head_revision() == HEAD_REVISION == "0005"
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
    with store.engine.connect() as conn:  # the version table is in the store's own schema
        assert (
            conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            == head_revision()
        )


def test_a_store_behind_head_is_migrated_and_one_at_head_opens_without_alembic(
    store_url: str,
) -> None:
    """Opening reads the version row itself: a store one migration behind is upgraded (the
    shortcut skips nothing), and a store at head opens in a fresh interpreter without loading
    Alembic at all (a tenth of a second off every command)."""
    engine = make_engine(store_url)
    migrate(engine, "0004")
    assert current_revision(engine) == "0004"
    engine.dispose()
    with Store.open(store_url) as store:
        assert current_revision(store.engine) == HEAD_REVISION
        store.add_sources([Source(url="https://example.com/feed")])
    probe = (
        "import sys\n"
        "from topicwire.store import Store\n"
        f"with Store.open({store_url!r}) as store:\n"
        "    print(len(store.list_sources()), 'alembic' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "False"]


def test_json_is_stored_as_text_with_key_order(store: Store) -> None:
    store.upsert_articles([minimal_article(extra={"b": 1, "a": {"z": 1, "y": 2}})])
    with store.engine.connect() as conn:
        raw = conn.execute(text("SELECT extra FROM articles")).scalar()
        if store.engine.dialect.name == "postgresql":
            kind = conn.execute(text("SELECT pg_typeof(extra)::text FROM articles")).scalar()
            assert kind == "json"
    stored: Any = json.loads(raw) if isinstance(raw, str) else raw  # SQLite: the text itself
    assert list(stored) == ["b", "a"] and list(stored["a"]) == ["z", "y"]


def test_reopened_store_keeps_everything_and_upgrade_is_a_no_op(store_url: str) -> None:
    with Store.open(store_url) as store:
        ids = store.upsert_articles([rich_article(1), rich_article(2)]).ids
        store.add_sources([Source(url="https://example.com/feed")])
    engine = make_engine(store_url)
    statements: list[str] = []
    event.listen(
        engine, "before_cursor_execute", lambda *args: statements.append(args[2].lstrip().upper())
    )
    migrate(engine)
    engine.dispose()
    changes = [s for s in statements if s.startswith(("CREATE", "ALTER", "DROP", "INSERT"))]
    assert changes == []
    with Store.open(store_url) as store:
        assert [store.get_article(i) for i in ids] == [
            StoredArticle(ids[0], rich_article(1), None),
            StoredArticle(ids[1], rich_article(2), None),
        ]
        assert len(store.list_sources()) == 1
        assert store.upsert_articles([rich_article(1)]).unchanged == 1


def sqlite_pragma(engine: Engine, name: str) -> Any:
    with engine.connect() as conn:
        return conn.exec_driver_sql(f"PRAGMA {name}").scalar()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    with backend_url("sqlite", tmp_path) as url, Store.open(url) as store:
        assert sqlite_pragma(store.engine, "journal_mode") == "wal"
        assert sqlite_pragma(store.engine, "foreign_keys") == 1
        assert sqlite_pragma(store.engine, "busy_timeout") > 0
        assert (tmp_path / "topicwire.db").is_file()


def test_foreign_keys_are_enforced(store: Store) -> None:
    with pytest.raises(StoreError):
        store.assign_story(1, None)  # no such article
    with pytest.raises(Exception, match=r"(?i)foreign key"), store.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO fetch_log (source_id, url, started_at) VALUES (99, 'x', :t)"),
            {"t": T0},
        )


def test_closed_store_refuses_work(tmp_path: Path) -> None:
    with backend_url("sqlite", tmp_path) as url:
        store = Store.open(url)
        store.close()
        store.close()
        with pytest.raises(StoreError, match="closed"):
            store.count_articles()


def test_unreachable_postgresql_is_a_store_error() -> None:
    with pytest.raises(StoreError, match=r"cannot reach PostgreSQL at 127\.0\.0\.1:9"):
        Store.open("postgresql+psycopg://postgres@127.0.0.1:9/test?connect_timeout=2")


def test_bad_urls_are_store_errors(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="not a database URL"):
        Store.open("not a url")
    with pytest.raises(StoreError, match="unsupported database"):
        Store.open("mysql://localhost/x")


def test_page_fetch_logs_without_touching_the_source(store: Store) -> None:
    """A page found through a feed is logged under it; the feed's own state stays as it was."""
    from datetime import UTC, datetime

    from topicwire.model import Source

    feed = "https://example.com/feed.xml"
    store.add_sources([Source(url=feed)])
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    store.record_fetch(feed, status=200, error=None, bytes=10, started_at=now, finished_at=now)
    store.record_fetch(
        feed,
        status=500,
        error="HTTP 500",
        bytes=0,
        started_at=now,
        finished_at=now,
        url="https://example.com/a",
        update_source=False,
    )
    source = store.get_source(feed)
    assert source is not None
    assert (source.last_status, source.last_error, source.error_count) == (200, None, 0)
    assert [entry.url for entry in store.fetch_log(feed)] == [feed, "https://example.com/a"]


def test_full_text_is_stored_but_not_part_of_the_record(store: Store) -> None:
    from topicwire.model import Article
    from topicwire.record import dump_record

    article = Article(title="t", web_url="https://example.com/t", text="Full text.\n\nMore.")
    (article_id,) = store.upsert_articles([article]).ids
    stored = store.get_article(article_id)
    assert stored is not None and stored.article.text == "Full text.\n\nMore."
    assert stored.article == article
    assert "Full text" not in dump_record(stored.article)


def test_repairs_and_page_meta_are_stored_not_published(store: Store) -> None:
    from topicwire.model import Article
    from topicwire.record import dump_record

    article = Article(
        title="t",
        web_url="https://example.com/m",
        repairs={"mojibake": 1, "glued-words": 3},
        meta={"author": "Ana Roux", "ogType": "article", "language": "en"},
    )
    (article_id,) = store.upsert_articles([article]).ids
    stored = store.get_article(article_id)
    assert stored is not None and stored.article == article
    assert list(stored.article.meta) == ["author", "ogType", "language"]
    record = dump_record(stored.article)
    assert "Ana Roux" not in record and "mojibake" not in record


def test_enrichment_round_trips_and_stays_private(store: Store) -> None:
    """Topic evidence, quality signals and the embedding are stored; none reaches the record."""
    from topicwire.model import Article
    from topicwire.record import dump_record

    evidence = {"keywords": [{"keyword": "sagemaker", "where": "title", "count": 1}], "via": "kw"}
    article = Article(
        title="t",
        web_url="https://example.com/e",
        topics=["AI", "AWS AI"],
        topic_evidence={"AWS AI": evidence},
        quality=71,
        quality_signals=[{"name": "substance", "contribution": 12, "reason": "412 words"}],
        embedding=b"\x00\x00\x80?" * 384,
    )
    (article_id,) = store.upsert_articles([article]).ids
    stored = store.get_article(article_id)
    assert stored is not None and stored.article == article
    changed = article.model_copy(update={"topic_evidence": {"AI": {"via": "child:AWS AI"}}})
    assert store.upsert_articles([changed]).updated == 1
    again = store.get_article(article_id)
    assert again is not None
    # new evidence for AI; AWS AI keeps what it had
    assert again.article.topic_evidence == {"AI": {"via": "child:AWS AI"}, "AWS AI": evidence}
    record = dump_record(again.article)
    assert "sagemaker" not in record and "412 words" not in record


def test_topic_counts(store: Store) -> None:
    from topicwire.model import Article

    store.upsert_articles(
        [
            Article(title="a", web_url="https://example.com/1", topics=["AI", "AWS AI"]),
            Article(title="b", web_url="https://example.com/2", topics=["AI"]),
            Article(title="c", web_url="https://example.com/3", topics=["AI", "AI"]),
        ]
    )
    assert store.topic_counts() == {"AI": 3, "AWS AI": 1}
