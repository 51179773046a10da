"""The demo, end to end: the bundled corpus served on 127.0.0.1, fetched through every check."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from topicwire.demo.run import DemoRun, run_demo
from topicwire.errors import SiteError
from topicwire.secured import open_sealed
from topicwire.store import Store


@pytest.fixture(scope="module")
def demo(demo_run: DemoRun) -> DemoRun:
    return demo_run


def test_first_fetch_counts(demo) -> None:  # type: ignore[no-untyped-def]
    first = demo.first
    assert (first.sources_ok, first.sources_not_modified, first.sources_failed) == (4, 0, 1)
    assert first.articles_new == 9
    assert first.articles_failed == 3  # a 500, a timeout and a 404
    assert first.images_cached == 5 + 5  # five article images, and each outlet's logo once
    reasons = dict(first.failures)
    assert any("broken feed" in reason for reason in reasons.values())
    assert any("HTTP 500" in reason for reason in reasons.values())
    assert any("timed out" in reason for reason in reasons.values())
    assert any("HTTP 404" in reason for reason in reasons.values())


def test_second_fetch_is_conditional_and_duplicates_nothing(demo) -> None:  # type: ignore[no-untyped-def]
    second = demo.second
    # the feed whose pages failed for reasons that may pass (a timeout, a 500) kept no
    # validators: it is read again in full and those pages retried; the others answer 304
    assert second.sources_not_modified == 3
    assert second.sources_ok == 1
    assert any("timed out" in reason for reason in dict(second.failures).values())
    assert second.sources_failed == 1  # a broken feed never passes for healthy on a 304
    assert second.articles_new == 0
    # `--all` fetches the re-read feed's stored page again (its one image with it); logos are
    # fetched once, and the feeds that answered 304 led to nothing
    assert second.articles_updated + second.articles_unchanged == 1
    assert second.images_cached == 1
    with Store.open(demo.site.database_url) as store:
        assert store.count_articles() == 9


def test_stored_articles_are_clean(demo) -> None:  # type: ignore[no-untyped-def]
    key = demo.site.secret_key()
    with Store.open(demo.site.database_url) as store:
        articles = [stored.article for stored in store.iter_articles()]
        failing = store.get_source(
            next(s.url for s in store.list_sources() if "brokenfeed" in s.url)
        )
    titles = {article.title for article in articles}
    assert "Lumen Lab\u2019s new open model: a first look" in titles  # mojibake repaired
    for article in articles:
        assert article.web_url and "utm_" not in article.web_url
        assert article.original_url and "utm_" not in article.original_url
        assert article.provider is not None and article.provider.name  # from the registry
        assert not article.provider.name.endswith(".example")
        assert article.body == ""  # the full text is never published...
        assert article.text
        payload = open_sealed(article.secured or "", key)  # ...only sealed
        assert payload.text == article.text
        assert payload.original_url is not None and "utm_source=feed" in payload.original_url
        for marker in ("Leave a Reply", "Required fields", "Share this", "Sign up for our"):
            assert marker not in article.text
        assert all(image.is_cached for image in article.images)
        for image in article.images:
            assert (image.width, image.height) == (1200, 675)
    # failed on both runs: counted, slowed down, never dropped
    assert failing is not None and failing.error_count == 2
    assert failing.last_error and "broken feed" in failing.last_error
    assert failing.next_check_at is not None


def test_demo_refuses_to_replace_what_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(SiteError, match="already exists"):
        run_demo(tmp_path)
    with pytest.raises(SiteError, match="not a topicwire site"):
        run_demo(tmp_path, replace=True)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_repairs_and_page_meta_are_kept_for_the_next_stages(demo) -> None:  # type: ignore[no-untyped-def]
    with Store.open(demo.site.database_url) as store:
        articles = {stored.article.title: stored.article for stored in store.iter_articles()}
    lumen = articles["Lumen Lab\u2019s new open model: a first look"]
    assert lumen.repairs.get("mojibake", 0) >= 1
    triage = articles["Hospital network pilots an AI triage assistant in emergency rooms"]
    assert triage.meta.get("author") == "Jon Okafor"
    assert triage.meta.get("jsonLdType") == "NewsArticle"


def test_demo_articles_are_enriched_and_scored(demo) -> None:  # type: ignore[no-untyped-def]
    with Store.open(demo.site.database_url) as store:
        articles = [stored.article for stored in store.iter_articles()]
    original = next(
        a
        for a in articles
        if a.provider and a.provider.domain == "wirepoint.example" and "Harbor" in a.title
    )
    assert original.quality is not None and original.quality >= 65  # a clean original report
    assert original.topics == ["AI", "Robot Learning"]
    assert original.topic_evidence["Robot Learning"]["via"] == "keywords"
    assert {s["name"] for s in original.quality_signals} >= {"facts", "headline", "author"}
    for article in articles:
        assert article.type == "article" and article.category == "news"
        assert article.locale == "en-US"
        assert article.embedding is not None and len(article.embedding) == 384 * 4
        assert 0 <= (article.quality or 0) <= 100
        if not article.topics:  # off-topic is never published by rule
            assert article.published is False


def test_demo_shows_stories_with_coverage_an_original_and_related_lists(demo) -> None:  # type: ignore[no-untyped-def]
    with Store.open(demo.site.database_url) as store:
        stories = store.list_stories()
        by_title = {s.title: s for s in stories}
        harbor = by_title["Harbor Robotics unveils warehouse arm trained in simulation"]
        members = store.story_members(story_ids=[harbor.id])
        articles = {s.id: s.article for s in store.iter_articles()}
        history = store.story_heat_history(harbor.id)
    # the wire report, its syndicated copy and an analysis: three outlets, one story
    assert harbor.provider_count == 3 and harbor.article_count == 3
    domains = {m.domain: m for m in members}
    wire = domains["wirepoint.example"]
    assert harbor.original_article_id == wire.id  # the earliest report, not the copy
    copy = domains["circuitledger.example"]
    assert copy.copy_of_id == wire.id
    assert articles[copy.id].published is False  # a copy is coverage, not a headline of its own
    # related: the same story from the other outlets first, never the copy, never itself
    related = [item.provider.domain for item in articles[wire.id].related if item.provider]
    assert related[0] == "northbeam.example"
    assert "circuitledger.example" not in related[:1] and len(related) <= 5
    for article_id, article in articles.items():
        assert article.heat is not None and 0 <= article.heat <= 100
        titles = [item.title for item in article.related]
        assert article.title not in titles or article_id == copy.id
        assert all(
            item.provider is None
            or article.provider is None
            or item.provider.domain != article.provider.domain
            for item in article.related
        )
    # the hottest story is the newest (the corpus is dated relative to now), with a history
    assert stories[0].heat >= stories[-1].heat
    assert stories[0].heat > 0
    assert history and all(0 <= value <= 100 for _, value in history)


def test_demo_is_published(demo) -> None:  # type: ignore[no-untyped-def]
    out = demo.site.out_dir
    assert demo.published.articles >= 7
    assert (out / "index.html").is_file()
    assert (out / "api" / "topics" / "index.json").is_file()
    assert (out / "feed.xml").is_file()
    records = sorted((out / "_news").glob("*.md"))
    assert len(records) == demo.published.articles
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "Harbor Robotics" in home
    # outlets' logos come from the site's own copies: the page loads nothing from elsewhere
    sources = re.findall(r'(?:src|href)="([^"]+)"', home)
    assert any(src.startswith("/images/") for src in sources)
    loaded = re.findall(r'<(?:img|link)[^>]+(?:src|href)="([^"]+)"', home)
    assert loaded and all(src.startswith("/") for src in loaded), loaded


def test_serve_static_serves_the_published_site_on_loopback(demo: DemoRun) -> None:
    """``topicwire serve --static`` (what ``make demo`` ends with), as a user runs it: it prints
    its address, serves out/ there on 127.0.0.1, answers 404 for what is not published, and
    stops on a signal."""
    import signal
    import subprocess
    import sys
    import urllib.error
    import urllib.request

    command = [sys.executable, "-m", "topicwire", "serve", "--static", "--port", "0"]
    server = subprocess.Popen(
        [*command, "--site", str(demo.site.root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        found = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        assert found, line
        with urllib.request.urlopen(found.group(1), timeout=10) as response:
            page = response.read().decode("utf-8")
        assert response.status == 200 and "<main" in page and demo.site.title in page
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(found.group(1) + "no-such-page/", timeout=10)
        assert missing.value.code == 404
    finally:
        server.send_signal(signal.SIGINT)
        out, _ = server.communicate(timeout=10)
    assert "Stopped." in out
