"""Hostile inputs are bounded before they are parsed or computed with.

Each case was a crash or a bad record before: a JSON Feed nested thousands of levels deep raised
RecursionError; a folder with one deep YAML front matter, one deep JSON line or one
``javascript:`` URL stopped ``topicwire import`` with a traceback or stored the bad URL; a deep
OPML list stopped ``topicwire sources import``; a placeholder date (``0001-01-01``) from a feed
or from a page's JSON-LD was stored as year 1. Now each one is refused or treated as unknown,
with a reason, and the good inputs beside it go through.
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import run as run_command
from topicwire.errors import ParseError
from topicwire.extract import extract_html
from topicwire.limits import MAX_DEPTH, json_depth, value_problem, yaml_depth
from topicwire.sources import detect_kind, parse_feed, parse_sitemap, read_local

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
FEED_URL = "https://news.example.com/feed"
DEEP = 5_000


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """A topicwire command as a user runs it; never a traceback, whatever its exit code."""
    result = run_command(*args, ok=False)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


def _deep_json_feed() -> bytes:
    nested = "[" * DEEP + "]" * DEEP
    return (
        '{"version": "https://jsonfeed.org/version/1.1", "title": "Deep", "items": ['
        f'{{"id": "1", "url": "https://news.example.com/a", "tags": {nested}}}]}}'
    ).encode()


# -- the bounds themselves


def test_json_depth_ignores_brackets_in_strings_and_counts_unclosed_ones() -> None:
    assert json_depth(b'{"a": [1, {"b": "]]]] [[[["}], "c\\"[": {}}') == 3
    assert json_depth('["\\\\", [["\\\\\\"[[["]]]]') == 3
    assert json_depth(b"[" * DEEP) == DEEP
    assert json_depth(b"[]" * 1000) == 1


def test_yaml_depth_is_an_upper_bound_that_real_front_matter_stays_far_below() -> None:
    front = (
        'title: "Why [AI] matters: {a} [b"\n'
        "provider:\n  name: Example\n  images:\n    - url: https://e.com/a.png\n"
        "topics:\n- AI\n- Machine learning\n"
        "excerpt: |\n  [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n"
        "  - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - -\n"
    )
    assert yaml_depth(front) <= 10
    assert yaml_depth("x: " + "[" * DEEP + "]" * DEEP) > MAX_DEPTH
    assert yaml_depth("x:\n" + "".join("  " * i + "- a:\n" for i in range(1, 100))) > MAX_DEPTH
    assert yaml_depth("- " * 100 + "a") > MAX_DEPTH


def test_value_problem_bounds_depth_count_and_size_without_recursion() -> None:
    deep: list[object] = []
    for _ in range(DEEP):
        deep = [deep]
    assert "nested more than" in (value_problem({"x": deep}) or "")
    laughs: list[object] = ["lol"]
    for _ in range(40):  # what YAML aliases expand to: 2**40 values from 40 lines
        laughs = [laughs, laughs]
    assert "more than" in (value_problem({"x": laughs}) or "")
    assert value_problem({"title": "x" * 20_000}, line_keys={"title"}) == (
        "'title' is 20,000 characters long (at most 10,000)"
    )
    assert value_problem({"title": "A title", "topics": ["AI"], "n": 1}) is None


# -- feeds


def test_deep_json_feed_is_refused_with_a_reason() -> None:
    with pytest.raises(ParseError, match=r"nested 5,00\d levels deep"):
        parse_feed(_deep_json_feed(), FEED_URL, now=NOW)


def test_deep_json_is_refused_by_detect_kind_too() -> None:
    with pytest.raises(ParseError, match="levels deep"):
        detect_kind(_deep_json_feed(), "application/feed+json", FEED_URL)
    without_version = ('{"items": ' + "[" * DEEP + "]" * DEEP + "}").encode()
    with pytest.raises(ParseError, match="levels deep"):
        detect_kind(without_version, None, FEED_URL)


def test_deep_xml_feed_is_read_without_recursion() -> None:
    deep = "<div>" * DEEP + "</div>" * DEEP
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        f"<item><title>A</title><link>https://news.example.com/a</link>{deep}</item>"
        "</channel></rss>"
    ).encode()
    feed = parse_feed(body, FEED_URL, now=NOW)
    assert [e.url for e in feed.entries] == ["https://news.example.com/a"]


def _rss(items: str) -> bytes:
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'
    ).encode()


def test_feed_item_dated_year_one_has_no_date() -> None:
    feed = parse_feed(
        _rss(
            "<item><title>Old</title><link>https://news.example.com/a</link>"
            "<pubDate>Mon, 01 Jan 0001 00:00:00 GMT</pubDate></item>"
        ),
        FEED_URL,
        now=NOW,
    )
    (entry,) = feed.entries
    assert entry.published_at is None
    assert entry.date_problem is not None and "unknown" in entry.date_problem
    assert any("treated as unknown" in w for w in feed.warnings)


def test_json_feed_item_dated_year_one_has_no_date() -> None:
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "items": [
                {"id": "1", "url": "https://news.example.com/a", "date_published": "0001-01-01"},
                {
                    "id": "2",
                    "url": "https://news.example.com/b",
                    "date_published": "0001-01-01T00:00:00+05:00",
                },
            ],
        }
    ).encode()
    feed = parse_feed(body, FEED_URL, now=NOW)
    assert [e.published_at for e in feed.entries] == [None, None]


def test_feed_entries_whose_link_is_not_http_are_skipped_with_a_warning() -> None:
    feed = parse_feed(
        _rss(
            "<item><title>Good</title><link>https://news.example.com/a</link></item>"
            "<item><title>Bad</title><link>javascript:alert(1)</link></item>"
            "<item><title>No link</title><guid>x</guid></item>"
        ),
        FEED_URL,
        now=NOW,
    )
    assert [e.title for e in feed.entries] == ["Good", "No link"]
    assert any("1 entry skipped" in w and "javascript:" in w for w in feed.warnings)
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "items": [
                {"id": "1", "url": "data:text/html,<script>alert(1)</script>"},
                {"id": "2", "url": "/relative/ok"},
            ],
        }
    ).encode()
    feed = parse_feed(body, FEED_URL, now=NOW)
    assert [e.url for e in feed.entries] == ["https://news.example.com/relative/ok"]
    assert any("data:" in w for w in feed.warnings)


def test_huge_titles_are_cut_to_one_line_of_10000_characters() -> None:
    huge = "word " * 200_000
    feed = parse_feed(
        _rss(f"<item><title>{huge}</title><link>https://news.example.com/a</link></item>"),
        FEED_URL,
        now=NOW,
    )
    assert len(feed.entries[0].title or "") == 10_000
    page = GANNETT_PAGE.replace("Council approves budget</h1>", f"{huge}</h1>").replace(
        '"headline": "Council approves budget", ', ""
    )
    page = page.replace("<title>Council approves budget</title>", f"<title>{huge}</title>")
    extracted = extract_html(page, "https://www.example.com/story/news/budget/", now=NOW)
    assert 0 < len(extracted.title) <= 10_000


def test_sitemap_dates_out_of_range_are_unknown() -> None:
    body = (
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://news.example.com/a</loc><lastmod>0001-01-01T00:00:00+05:00</lastmod>"
        b"</url><url><loc>https://news.example.com/b</loc><lastmod>0001-01-01</lastmod></url>"
        b"<url><loc>https://news.example.com/c</loc><lastmod>2024-05-01</lastmod></url></urlset>"
    )
    sitemap = parse_sitemap(body, "https://news.example.com/sitemap.xml")
    assert [u.lastmod for u in sitemap.urls] == [None, None, datetime(2024, 5, 1, tzinfo=UTC)]


# -- pages

GANNETT_PAGE = """<!doctype html><html><head><title>Council approves budget</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
"headline": "Council approves budget", "datePublished": "0001-01-01T00:00:00Z",
"dateModified": "0001-01-01T00:00:00+05:00"}</script>
<meta property="article:published_time" content="0001-01-01T00:00:00Z">
</head><body><article><h1>Council approves budget</h1>
<p>The city council voted on Tuesday to approve next year's budget after a long debate about
road repairs and school funding in the district, the third such vote this year.</p>
<p>Members said the plan keeps taxes flat while adding money for two new bus routes and a
library branch on the east side of town, which opens next spring.</p>
</article></body></html>"""


def test_page_whose_json_ld_says_year_one_has_no_date() -> None:
    extracted = extract_html(GANNETT_PAGE, "https://www.example.com/story/news/budget/", now=NOW)
    assert extracted.published_at is None
    assert extracted.updated_at is None


def test_page_with_deep_json_ld_is_extracted_without_it() -> None:
    deep = '{"@type": "NewsArticle", "x": ' + "[" * DEEP + "]" * DEEP + "}"
    page = GANNETT_PAGE.replace(
        "<head>", f'<head><script type="application/ld+json">{deep}</script>'
    )
    extracted = extract_html(page, "https://www.example.com/story/news/budget/", now=NOW)
    assert extracted.title == "Council approves budget"


def test_extract_command_prints_no_year_one(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(GANNETT_PAGE, encoding="utf-8")
    result = run("extract", page, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert "publishedDateTime" not in data and "updatedDateTime" not in data
    assert "1-01-01" not in result.stdout


def test_markdown_with_deep_front_matter_is_refused_by_extract(tmp_path: Path) -> None:
    page = tmp_path / "deep.md"
    page.write_text(_record("Deep", "https://e.com/deep", "x: " + "[" * DEEP + "]" * DEEP + "\n"))
    with pytest.raises(ParseError, match="nested more than 64 levels deep"):
        read_local(page)
    result = run("extract", page)
    assert result.returncode == 1
    assert "nested more than 64 levels deep" in " ".join(result.stderr.split())


# -- topicwire import


def _record(title: str, url: str, extra: str = "") -> str:
    return f'---\ntitle: "{title}"\nwebUrl: "{url}"\n{extra}---\n\nThe body of {title}.\n'


def _import_folder(folder: Path) -> dict[str, str]:
    """The records of the import case: name -> what the import must say about it."""
    folder.mkdir()
    (folder / "good.md").write_text(_record("Good", "https://e.com/good"))
    deep_flow = "tags: " + "[" * DEEP + "]" * DEEP + "\n"
    (folder / "deep-flow.md").write_text(_record("Deep flow", "https://e.com/flow", deep_flow))
    deep_block = "tags:\n" + "".join("  " * i + "- a:\n" for i in range(1, 500))
    (folder / "deep-block.md").write_text(_record("Deep block", "https://e.com/b", deep_block))
    (folder / "script.md").write_text(_record("Script", "javascript:alert(1)"))
    lines = [
        json.dumps({"title": "Line one", "webUrl": "https://e.com/one"}),
        '{"title": "Deep line", "webUrl": "https://e.com/deep", "x": '
        + "[" * DEEP
        + "]" * DEEP
        + "}",
        json.dumps({"title": "Line three", "webUrl": "https://e.com/three"}),
    ]
    (folder / "lines.jsonl").write_text("\n".join(lines) + "\n")
    return {
        "deep-flow.md": "nested more than 64 levels deep",
        "deep-block.md": "nested more than 64 levels deep",
        "script.md": "'webUrl': not an http(s) URL (javascript:)",
        "lines.jsonl:2": "nested 5,00",
    }


def _stored_urls(site: Path) -> set[str]:
    from topicwire.site import open_site
    from topicwire.store import Store

    with Store.open(open_site(site).database_url) as store:
        return {stored.article.url or "" for stored in store.iter_articles()}


def test_import_lists_each_hostile_record_and_stores_the_good_ones(
    site: Path, tmp_path: Path
) -> None:
    expected = _import_folder(tmp_path / "records")
    result = run("import", "--site", site, tmp_path / "records")
    assert result.returncode == 1, result.stderr
    listed = " ".join(result.stderr.split())  # the table's cells, joined across wrapped lines
    for name, reason in expected.items():
        assert name in listed, name
        assert reason in listed, reason
    assert "Imported 3 article(s)" in " ".join(result.stdout.split())
    assert _stored_urls(site) == {
        "https://e.com/good",
        "https://e.com/one",
        "https://e.com/three",
    }


def test_import_refuses_weird_records_with_a_reason(site: Path, tmp_path: Path) -> None:
    folder = tmp_path / "weird"
    folder.mkdir()
    (folder / "list-title.md").write_text(
        '---\ntitle: ["a", "b"]\nwebUrl: "https://e.com/list"\n---\n\nBody.\n'
    )
    (folder / "year-one.md").write_text(
        _record("Old", "https://e.com/old", "publishedDateTime: 0001-01-01T00:00:00Z\n")
    )
    (folder / "year-one-offset.md").write_text(
        _record("Offset", "https://e.com/offset", "publishedDateTime: 0001-01-01T00:00:00+05:00\n")
    )
    (folder / "huge-title.md").write_text(_record("x" * 5_000_000, "https://e.com/huge"))
    laughs = 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for level in range(1, 10):
        laughs += f"l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]\n"
    (folder / "laughs.md").write_text(_record("Laughs", "https://e.com/laughs", laughs))
    (folder / "mailto.jsonl").write_text(
        json.dumps({"title": "Mail", "originalUrl": "mailto:a@example.com"})
        + "\n"
        + json.dumps({"title": "Surrogate \ud800", "webUrl": "https://e.com/s"})
        + "\n",
        errors="surrogatepass",
    )
    result = run("import", "--site", site, folder)
    assert result.returncode == 1, result.stderr
    listed = " ".join(result.stderr.split())
    for reason in (
        "'title': input should be a valid string",
        "'publishedDateTime': 0001-01-01 is outside the plausible range",
        "'publishedDateTime': value error, date out of range",
        "'title' is 5,000,000 characters long (at most 10,000)",
        "more than 100,000 values",
        "'originalUrl': not an http(s) URL (mailto:)",
        "'title' holds a lone surrogate",
    ):
        assert reason in listed, reason
    assert "internal error" not in listed
    assert _stored_urls(site) == set()


# -- topicwire sources import


def test_deep_opml_is_read_as_if_flat_with_a_warning(site: Path, tmp_path: Path) -> None:
    folders = "".join(f'<outline text="Folder {i}">' for i in range(DEEP))
    opml = tmp_path / "deep.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>Deep</title></head><body>'
        '<outline text="Top" type="rss" xmlUrl="https://top.example.com/feed"/>'
        f'{folders}<outline text="Deep" type="rss" xmlUrl="https://deep.example.com/feed"/>'
        + "</outline>" * DEEP
        + "</body></opml>"
    )
    result = run("sources", "import", "--site", site, opml)
    assert result.returncode == 0, result.stderr
    assert "Read 2 source(s)" in result.stdout
    assert "levels deep" in " ".join(result.stderr.split())


def test_an_opml_list_of_150000_feeds_is_imported(site: Path, tmp_path: Path) -> None:
    """Was 226 s (two statements per feed); bench/opml_import.py times it, this counts it."""
    feeds = 150_000
    outlines = "\n".join(
        f'<outline type="rss" text="Feed {n}" xmlUrl="https://f{n % 97}.example.com/{n}.xml"/>'
        for n in range(feeds)
    )
    opml = tmp_path / "big.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>Big</title></head><body>'
        f'<outline text="All">{outlines}</outline></body></opml>'
    )
    result = run("sources", "import", "--site", site, opml)
    assert result.returncode == 0, result.stderr
    assert f"Read {feeds} source(s)" in result.stdout
    assert f"added {feeds}" in result.stdout
    # the site's sources.opml is written from the store's list of sources after the import
    assert (site / "sources.opml").read_text(encoding="utf-8").count("xmlUrl=") == feeds


def test_adding_sources_in_bulk_keeps_what_one_at_a_time_did(tmp_path: Path) -> None:
    from topicwire.model import Source
    from topicwire.store import Store

    with Store.open(f"sqlite:///{tmp_path / 'db.sqlite'}") as store:
        assert store.add_sources([Source(url="https://a.example/feed", title="A")]) == 1
        again = [
            Source(url="https://b.example/feed", kind="auto"),
            Source(url="https://a.example/feed", kind="sitemap"),  # kind updated, title kept
            Source(url="https://b.example/feed", kind="feed", title="B"),  # the last one wins
        ]
        assert store.add_sources(again) == 1
        assert [(s.url, s.kind, s.title) for s in store.list_sources()] == [
            ("https://a.example/feed", "sitemap", "A"),
            ("https://b.example/feed", "feed", "B"),
        ]


def test_feed_entries_whose_link_has_no_host_are_skipped_with_a_warning() -> None:
    feed = parse_feed(
        _rss(
            "<item><title>Good</title><link>https://news.example.com/a</link></item>"
            "<item><title>Port only</title><link>http:80</link></item>"
            "<item><title>No slashes</title><link>http:news.example.com/b</link></item>"
        ),
        FEED_URL,
        now=NOW,
    )
    assert [e.title for e in feed.entries] == ["Good"]
    assert any("2 entries skipped" in w and "no host" in w for w in feed.warnings), feed.warnings
