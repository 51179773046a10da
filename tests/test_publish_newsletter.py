"""The daily newsletter: which stories, in which order, and safe HTML and plain text."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import lxml.html
import pytest

from publish_fixtures import HOSTILE_TITLE, NOW, make_snapshot
from topicwire.model import Article, Provider, Topic
from topicwire.publish.newsletter import (
    STORIES_PER_TOPIC,
    build_digest,
    render_newsletter,
    top_stories,
)
from topicwire.publish.snapshot import PublishedArticle, PublishedStory, Snapshot

BASE = "https://news.example"
DAY = NOW.date()  # 2026-11-20: story 20 (articles 4 and 5)
DAY_BEFORE = DAY - dt.timedelta(days=1)  # story 10 (articles 1 and 3)


@pytest.fixture
def snapshot() -> Snapshot:
    return make_snapshot(base_url=BASE)


def _files(snapshot: Snapshot, day: dt.date) -> tuple[str, str]:
    out = render_newsletter(snapshot, day)
    assert set(out) == {f"newsletters/{day}.html", f"newsletters/{day}.txt"}
    return out[f"newsletters/{day}.html"].decode(), out[f"newsletters/{day}.txt"].decode()


def test_fixture_day_lists_the_audit_story_under_its_topics(snapshot: Snapshot) -> None:
    digest = build_digest(snapshot, DAY)
    assert [s.topic for s in digest.sections] == ["AI", "AI Policy"]
    for section in digest.sections:
        [story] = section.stories
        assert story.id == 20
        assert story.title == "EU agrees AI audit rules"
        assert story.coverage == 2
        assert story.url == f"{BASE}/stories/20/"
        assert story.original is not None
        assert story.original.title == "EU agrees AI audit rules"
        assert story.original.provider == "Beam Tech"
        assert story.original.url == "https://beam.example/story/4"
        assert [r.title for r in story.others] == [HOSTILE_TITLE]


def test_html_shows_stories_counts_original_and_links(snapshot: Snapshot) -> None:
    page, _ = _files(snapshot, DAY)
    tree = lxml.html.document_fromstring(page)
    assert [h.text_content() for h in tree.iter("h2")] == ["AI", "AI Policy"]
    assert [h.text_content() for h in tree.iter("h3")] == ["EU agrees AI audit rules"] * 2
    text = tree.text_content()
    assert text.count("2 reports from 2 outlets") >= 2
    assert "Original report:" in text
    assert "Beam Tech" in text
    hrefs = [a.get("href") for a in tree.iter("a")]
    assert f"{BASE}/stories/20/" in hrefs
    assert "https://beam.example/story/4" in hrefs
    assert hrefs[0] == f"{BASE}/newsletters/{DAY}.html"
    assert next(tree.iter("a")).text_content() == "View online"


def test_text_shows_the_same(snapshot: Snapshot) -> None:
    _, text = _files(snapshot, DAY)
    assert f"View online: {BASE}/newsletters/2026-11-20.html" in text
    assert "== AI ==" in text
    assert "== AI Policy ==" in text
    assert "== Robot Learning ==" not in text
    assert "1. EU agrees AI audit rules" in text
    assert "2 reports from 2 outlets, heat 62" in text
    assert "Original report: EU agrees AI audit rules (Beam Tech, 10:00 UTC)" in text
    assert "https://beam.example/story/4" in text
    assert f"Full coverage: {BASE}/stories/20/" in text


def test_day_before_has_the_harbor_story_with_its_unpublished_copy_counted(
    snapshot: Snapshot,
) -> None:
    digest = build_digest(snapshot, DAY_BEFORE)
    assert [s.topic for s in digest.sections] == ["AI", "Robot Learning"]
    story = digest.sections[1].stories[0]
    assert (story.id, story.coverage) == (10, 3)
    assert story.coverage_label == "3 reports from 3 outlets"
    assert story.original is not None
    assert (story.original.title, story.original.provider) == (
        "Harbor unveils a simulation-trained arm",
        "Wire Service",
    )
    assert story.original.url == "https://wire.example/story/1"
    _, text = _files(snapshot, DAY_BEFORE)
    assert "Also: Why Harbor's arm matters (Beam Tech, 15:00 UTC)" in text


def test_original_from_an_earlier_day_shows_its_date(snapshot: Snapshot) -> None:
    # move the original report (article 1) back two days: article 3 keeps the story on Nov 19
    older = snapshot.articles[1].article.model_copy(
        update={"published_at": NOW - dt.timedelta(days=3)}
    )
    moved = dataclasses.replace(
        snapshot,
        articles={**snapshot.articles, 1: dataclasses.replace(snapshot.articles[1], article=older)},
    )
    story = build_digest(moved, DAY_BEFORE).sections[0].stories[0]
    assert story.original is not None
    assert story.original.time == "17 Nov 15:00 UTC"


def test_hostile_title_is_escaped_in_html_and_plain_in_text(snapshot: Snapshot) -> None:
    page, text = _files(snapshot, DAY)
    assert "<script" not in page
    tree = lxml.html.document_fromstring(page)
    assert list(tree.iter("script")) == []
    assert list(tree.iter("img")) == []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for name in element.attrib:
            assert not name.lower().startswith("on"), (element.tag, name)
    for anchor in tree.iter("a"):
        href = anchor.get("href") or ""
        assert href.startswith(("https://", "http://")), href
    assert HOSTILE_TITLE in tree.text_content()
    assert HOSTILE_TITLE in text
    assert "&lt;" not in text


def test_html_is_mail_safe(snapshot: Snapshot) -> None:
    page, _ = _files(snapshot, DAY)
    tree = lxml.html.document_fromstring(page)
    for tag in ("style", "table", "script", "link", "img", "iframe", "form", "object"):
        assert list(tree.iter(tag)) == [], tag
    assert tree.get("lang") == "en-US"
    body = tree.find("body")
    assert body is not None
    assert "background-color" in (body.get("style") or "")
    assert all(a.get("style") for a in tree.iter("a"))


def test_empty_day_renders_a_short_digest(snapshot: Snapshot) -> None:
    day = dt.date(2026, 1, 1)
    assert build_digest(snapshot, day).sections == ()
    page, text = _files(snapshot, day)
    tree = lxml.html.document_fromstring(page)
    assert "No stories were published on this day." in tree.text_content()
    assert list(tree.iter("h2")) == []
    assert "No stories were published on this day." in text
    assert "Thursday, 1 January 2026" in text
    assert f"{BASE}/newsletters/2026-01-01.html" in text


def test_deterministic_whatever_the_input_order(snapshot: Snapshot) -> None:
    shuffled = dataclasses.replace(
        snapshot,
        articles=dict(reversed(list(snapshot.articles.items()))),
        stories=dict(reversed(list(snapshot.stories.items()))),
    )
    first = render_newsletter(snapshot, DAY)
    assert first == render_newsletter(snapshot, DAY)
    assert first == render_newsletter(shuffled, DAY)


def test_relative_links_without_a_base_url() -> None:
    digest = build_digest(make_snapshot(), DAY)
    assert digest.view_online == "/newsletters/2026-11-20.html"
    assert digest.sections[0].stories[0].url == "/stories/20/"


# --- ranking, on a made-up snapshot --------------------------------------------------------


def _article(n: int, hours_ago: float, topic_names: list[str], **changes: Any) -> Article:
    data: dict[str, Any] = {
        "title": f"Report {n}",
        "published_at": NOW - dt.timedelta(hours=hours_ago),
        "web_url": f"https://wire.example/{n}",
        "published": True,
        "provider": Provider(name="Wire Service", domain="wire.example"),
        "topics": topic_names,
    }
    data.update(changes)
    return Article(**data)


def _ranked_snapshot(specs: list[tuple[int, int, int]], **changes: Any) -> Snapshot:
    """One story per (story id, heat, coverage): ``coverage`` articles each, today."""
    topic = Topic.from_data({"_id": "ai", "name": "AI"})
    articles: dict[int, PublishedArticle] = {}
    stories: dict[int, PublishedStory] = {}
    n = 0
    for story_id, heat, coverage in specs:
        ids = []
        for _ in range(coverage):
            n += 1
            article = _article(n, 1, ["AI"], **changes)
            articles[n] = PublishedArticle(n, article, story_id, f"2026-11-20-report-{n}")
            ids.append(n)
        stories[story_id] = PublishedStory(
            id=story_id,
            title=f"Story {story_id}",
            heat=heat,
            original_id=ids[0],
            article_ids=tuple(ids),
            history=(),
            first_published_at=None,
            last_published_at=None,
            provider_count=1,
        )
    return Snapshot(
        title="t",
        base_url=BASE,
        locale="en-US",
        generated_at=NOW,
        articles=articles,
        stories=stories,
        topics=(topic,),
    )


def test_top_stories_by_heat_then_coverage_at_most_five() -> None:
    snapshot = _ranked_snapshot(
        [(1, 10, 1), (2, 50, 1), (3, 50, 4), (4, 70, 1), (5, 30, 2), (6, 5, 9), (7, 30, 3)]
    )
    topic = snapshot.topics[0]
    ranked = top_stories(snapshot, topic, DAY)
    assert [s.id for s in ranked] == [4, 3, 2, 7, 5]
    assert len(ranked) == STORIES_PER_TOPIC
    digest = build_digest(snapshot, DAY)
    assert [s.id for s in digest.sections[0].stories] == [4, 3, 2, 7, 5]
    assert [s.coverage for s in digest.sections[0].stories] == [1, 4, 1, 3, 2]


def test_only_published_articles_of_the_topic_on_the_day_count() -> None:
    snapshot = _ranked_snapshot([(1, 90, 1), (2, 80, 1), (3, 70, 1)])
    articles = dict(snapshot.articles)
    # story 1: its article is unpublished; story 2: published yesterday; story 3 stays
    articles[1] = dataclasses.replace(
        articles[1], article=articles[1].article.model_copy(update={"published": False})
    )
    yesterday = NOW - dt.timedelta(days=1)
    articles[2] = dataclasses.replace(
        articles[2], article=articles[2].article.model_copy(update={"published_at": yesterday})
    )
    snapshot = dataclasses.replace(snapshot, articles=articles)
    assert [s.id for s in top_stories(snapshot, snapshot.topics[0], DAY)] == [3]
    other = Topic.from_data({"_id": "x", "name": "Elsewhere"})
    assert top_stories(snapshot, other, DAY) == []


def test_unsafe_outlet_link_is_dropped() -> None:
    snapshot = _ranked_snapshot([(1, 50, 1)], web_url="javascript:alert(1)")
    page, text = _files(snapshot, DAY)
    assert "javascript:" not in page
    assert "javascript:" not in text
    story = build_digest(snapshot, DAY).sections[0].stories[0]
    assert story.original is not None
    assert story.original.url is None
    assert story.original.title == "Report 1"
