"""Atom, RSS and JSON Feed output of a snapshot, read back with feedparser."""

from __future__ import annotations

import dataclasses
import html
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from publish_fixtures import HOSTILE_EXCERPT, HOSTILE_TITLE, NOW, make_snapshot
from topicwire.model import Article, Provider, Topic
from topicwire.publish.feeds import MAX_ENTRIES, _xml_bytes, render_feeds
from topicwire.publish.snapshot import PublishedArticle, Snapshot

BASE = "https://news.example"
XML_FEEDS = ("feed.xml", "rss.xml")
TOPIC_IDS = ("ai", "robot-learning", "ai-policy")


def _parse(data: bytes) -> Any:
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def _titles_of(snapshot: Snapshot, ids: list[int]) -> list[str]:
    return [snapshot.articles[i].article.title for i in ids]


@pytest.fixture
def snapshot() -> Snapshot:
    return make_snapshot(base_url=BASE)


@pytest.fixture
def feeds(snapshot: Snapshot) -> dict[str, bytes]:
    return render_feeds(snapshot)


def test_paths_for_the_site_and_every_topic(feeds: dict[str, bytes]) -> None:
    expected = {"feed.xml", "rss.xml", "feed.json"}
    for topic_id in TOPIC_IDS:
        expected |= {f"topics/{topic_id}/{name}" for name in ("feed.xml", "rss.xml", "feed.json")}
    assert set(feeds) == expected


@pytest.mark.parametrize(("name", "version"), [("feed.xml", "atom10"), ("rss.xml", "rss20")])
def test_site_feed_lists_published_articles_newest_first(
    feeds: dict[str, bytes], snapshot: Snapshot, name: str, version: str
) -> None:
    parsed = _parse(feeds[name])
    assert parsed.version == version
    # 2 (an unpublished copy) and 6 (unpublished, undated) are left out
    assert [e.title for e in parsed.entries] == _titles_of(snapshot, [5, 4, 3, 1])
    dates = [e.published_parsed for e in parsed.entries]
    assert dates == sorted(dates, reverse=True)
    assert [e.link for e in parsed.entries] == [
        f"{BASE}/{snapshot.articles[i].page_path}" for i in (5, 4, 3, 1)
    ]


def test_hostile_title_round_trips_as_text_and_is_escaped_in_the_xml(
    feeds: dict[str, bytes],
) -> None:
    for path, data in feeds.items():
        if path.endswith(".xml"):
            assert b"<script" not in data.lower()
            assert b"<img" not in data.lower()
            assert b"<a " not in data
    for name in XML_FEEDS:
        entry = _parse(feeds[name]).entries[0]
        assert entry.title == HOSTILE_TITLE
        assert entry.title_detail.type == "text/plain"
    assert b"&lt;script&gt;" in feeds["feed.xml"]


def test_summaries_are_plain_text(feeds: dict[str, bytes]) -> None:
    atom = _parse(feeds["feed.xml"]).entries[0]
    assert atom.summary_detail.type == "text/plain"
    assert atom.summary == HOSTILE_EXCERPT
    # an RSS description is HTML to readers: the text arrives escaped, so it shows, not runs
    rss = _parse(feeds["rss.xml"]).entries[0]
    assert "<a" not in rss.summary
    assert html.unescape(rss.summary) == HOSTILE_EXCERPT
    assert _parse(feeds["rss.xml"]).entries[1].summary == "Summary 4 of EU agrees AI audit rules."


def test_entries_link_our_page_and_the_outlet(feeds: dict[str, bytes], snapshot: Snapshot) -> None:
    page = f"{BASE}/{snapshot.articles[4].page_path}"
    atom = _parse(feeds["feed.xml"]).entries[1]
    links = {(link.rel, link.href) for link in atom.links}
    assert ("alternate", page) in links
    assert ("related", "https://beam.example/story/4") in links
    assert atom.id == page
    assert atom.author == "Beam Tech"
    assert [t.term for t in atom.tags] == ["ai", "ai-policy"]

    rss = _parse(feeds["rss.xml"]).entries[1]
    assert rss.link == page
    assert rss.id == page
    assert rss.source == {"href": "https://beam.example/story/4", "title": "Beam Tech"}


def test_dates(feeds: dict[str, bytes]) -> None:
    newest = NOW - timedelta(hours=3)
    assert b"<updated>2026-11-20T12:00:00Z</updated>" in feeds["feed.xml"]
    atom = _parse(feeds["feed.xml"])
    assert atom.entries[0].published == "2026-11-20T12:00:00Z"
    assert atom.entries[3].published == "2026-11-19T09:00:00Z"
    rss = _parse(feeds["rss.xml"])
    assert parsedate_to_datetime(rss.feed.updated) == newest
    assert rss.entries[0].published == "Fri, 20 Nov 2026 12:00:00 GMT"
    assert parsedate_to_datetime(rss.entries[3].published) == NOW - timedelta(hours=30)
    document = json.loads(feeds["feed.json"])
    assert document["items"][0]["date_published"] == "2026-11-20T12:00:00Z"


@pytest.mark.parametrize(
    ("topic_id", "ids"),
    [("ai", [5, 4, 3, 1]), ("robot-learning", [3, 1]), ("ai-policy", [5, 4])],
)
def test_topic_feeds_carry_only_their_topic(
    feeds: dict[str, bytes], snapshot: Snapshot, topic_id: str, ids: list[int]
) -> None:
    for name in XML_FEEDS:
        parsed = _parse(feeds[f"topics/{topic_id}/{name}"])
        assert [e.title for e in parsed.entries] == _titles_of(snapshot, ids)
    document = json.loads(feeds[f"topics/{topic_id}/feed.json"])
    assert [item["title"] for item in document["items"]] == _titles_of(snapshot, ids)
    atom = _parse(feeds[f"topics/{topic_id}/feed.xml"])
    assert atom.feed.link == f"{BASE}/topics/{topic_id}/"
    self_links = [link.href for link in atom.feed.links if link.rel == "self"]
    assert self_links == [f"{BASE}/topics/{topic_id}/feed.xml"]


def test_topic_feed_updated_is_its_newest_article(feeds: dict[str, bytes]) -> None:
    robots = _parse(feeds["topics/robot-learning/feed.xml"])
    assert robots.feed.updated == "2026-11-19T15:00:00Z"


def test_json_feed(feeds: dict[str, bytes], snapshot: Snapshot) -> None:
    document = json.loads(feeds["feed.json"])
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["title"] == "topicwire test site"
    assert document["home_page_url"] == f"{BASE}/"
    assert document["feed_url"] == f"{BASE}/feed.json"
    items = document["items"]
    assert [item["title"] for item in items] == _titles_of(snapshot, [5, 4, 3, 1])
    for item in items:
        assert isinstance(item["id"], str)
        assert item["id"]
        assert item["content_text"]
        assert "content_html" not in item
    assert len({item["id"] for item in items}) == len(items)
    first = items[0]
    assert first["title"] == HOSTILE_TITLE
    assert first["summary"] == HOSTILE_EXCERPT
    assert first["url"] == f"{BASE}/{snapshot.articles[5].page_path}"
    assert first["external_url"] == "https://ledger.example/story/5"
    assert first["authors"] == [{"name": "The Ledger"}]
    assert first["tags"] == ["AI", "AI Policy"]


def test_ids_are_stable_without_a_base_url() -> None:
    first = render_feeds(make_snapshot())
    again = render_feeds(make_snapshot())
    assert first == again
    atom = _parse(first["feed.xml"])
    ids = [e.id for e in atom.entries]
    assert all(i.startswith("urn:uuid:") for i in ids)
    assert len(set(ids)) == len(ids)
    rss = _parse(first["rss.xml"])
    assert [e.id for e in rss.entries] == ids
    assert b'isPermaLink="false"' in first["rss.xml"]
    assert atom.entries[0].link.startswith("/news/")
    json_ids = [item["id"] for item in json.loads(first["feed.json"])["items"]]
    assert json_ids == ids


def test_deterministic_whatever_the_input_order(snapshot: Snapshot) -> None:
    shuffled = dataclasses.replace(
        snapshot,
        articles=dict(reversed(list(snapshot.articles.items()))),
        stories=dict(reversed(list(snapshot.stories.items()))),
    )
    assert render_feeds(snapshot) == render_feeds(shuffled)


def test_unpublished_articles_stay_out_even_when_loaded() -> None:
    feeds = render_feeds(make_snapshot(include_unpublished=True, base_url=BASE))
    assert len(_parse(feeds["feed.xml"]).entries) == 4
    assert b"An undated note" not in feeds["feed.json"]


def _article(n: int, when: datetime | None, **changes: Any) -> Article:
    data: dict[str, Any] = {
        "title": f"Item {n}",
        "excerpt": f"Excerpt {n}",
        "published_at": when,
        "web_url": f"https://wire.example/{n}",
        "published": True,
        "provider": Provider(name="Wire Service", domain="wire.example"),
        "topics": ["AI"],
    }
    data.update(changes)
    return Article(**data)


def _snapshot_of(articles: dict[int, Article], topics: tuple[Topic, ...] = ()) -> Snapshot:
    return Snapshot(
        title="t",
        base_url=BASE,
        locale="en-US",
        generated_at=NOW,
        articles={
            i: PublishedArticle(i, a, None, f"2026-11-20-item-{i}") for i, a in articles.items()
        },
        stories={},
        topics=topics,
    )


def test_at_most_fifty_entries_newest_kept() -> None:
    articles = {n: _article(n, NOW - timedelta(minutes=n)) for n in range(1, 61)}
    feeds = render_feeds(_snapshot_of(articles))
    for name in XML_FEEDS:
        parsed = _parse(feeds[name])
        assert len(parsed.entries) == MAX_ENTRIES
        assert parsed.entries[0].title == "Item 1"
        assert parsed.entries[-1].title == f"Item {MAX_ENTRIES}"
    assert len(json.loads(feeds["feed.json"])["items"]) == MAX_ENTRIES


def test_empty_feeds_use_the_snapshot_time() -> None:
    topic = Topic.from_data({"_id": "quiet", "name": "Quiet"})
    feeds = render_feeds(_snapshot_of({}, (topic,)))
    atom = _parse(feeds["topics/quiet/feed.xml"])
    assert atom.entries == []
    assert atom.feed.updated == "2026-11-20T15:00:00Z"
    rss = _parse(feeds["topics/quiet/rss.xml"])
    assert parsedate_to_datetime(rss.feed.updated) == NOW
    assert json.loads(feeds["topics/quiet/feed.json"])["items"] == []


def test_undated_articles_go_last_without_dates() -> None:
    articles = {1: _article(1, None), 2: _article(2, NOW - timedelta(days=1))}
    feeds = render_feeds(_snapshot_of(articles))
    atom = _parse(feeds["feed.xml"])
    assert [e.title for e in atom.entries] == ["Item 2", "Item 1"]
    assert "published" not in atom.entries[1]
    assert atom.feed.updated == "2026-11-19T15:00:00Z"
    assert "pubDate" not in feeds["rss.xml"].decode().split("<item>")[2]
    assert "date_published" not in json.loads(feeds["feed.json"])["items"][1]


def test_unsafe_outlet_urls_and_control_characters() -> None:
    articles = {
        1: _article(1, NOW, web_url="javascript:alert(1)", original_url=None),
        2: _article(2, NOW - timedelta(hours=1), title="Bell\x07 and\nnewline\x00"),
    }
    feeds = render_feeds(_snapshot_of(articles))
    for data in feeds.values():
        assert b"javascript:" not in data
    atom = _parse(feeds["feed.xml"])
    assert [link.rel for link in atom.entries[0].links] == ["alternate"]
    assert atom.entries[1].title == "Bell and newline"
    assert _parse(feeds["rss.xml"]).entries[1].title == "Bell and newline"
    assert "external_url" not in json.loads(feeds["feed.json"])["items"][0]


def test_updated_time_is_used_for_entries() -> None:
    changed = NOW + timedelta(hours=1)
    articles = {1: _article(1, NOW - timedelta(hours=2), updated_at=changed)}
    feeds = render_feeds(_snapshot_of(articles))
    atom = _parse(feeds["feed.xml"])
    assert atom.entries[0].updated == "2026-11-20T16:00:00Z"
    assert atom.feed.updated == "2026-11-20T16:00:00Z"
    item = json.loads(feeds["feed.json"])["items"][0]
    assert item["date_modified"] == changed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=30),
    st.dictionaries(st.sampled_from(["href", "rel", "type", "xml:lang"]), st.text(max_size=20)),
)
def test_xml_bytes_are_elementtrees_own_utf8_output(text: str, attrs: dict[str, str]) -> None:
    """The feeds are serialised as text and encoded once; the bytes are those ElementTree
    writes itself with ``encoding="utf-8"`` (declaration, escapes, character references for
    what UTF-8 cannot hold)."""

    def tree() -> ET.Element:
        root = ET.Element("feed", {"xmlns": "http://www.w3.org/2005/Atom"})
        ET.SubElement(root, "title", attrs).text = text
        ET.SubElement(root, "entry").tail = text
        return root

    expected_root = tree()
    ET.indent(expected_root, space="  ")
    expected = ET.tostring(expected_root, encoding="utf-8", xml_declaration=True) + b"\n"
    assert _xml_bytes(tree()) == expected
