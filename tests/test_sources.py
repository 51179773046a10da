"""detect_kind, read_local and article_source."""

from __future__ import annotations

import contextlib
import gzip
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from topicwire.errors import ParseError
from topicwire.sources import (
    KINDS,
    article_source,
    detect_kind,
    parse_feed,
    parse_sitemap,
    read_local,
    read_opml,
)

URL = "https://example.com/x"


@pytest.mark.parametrize(
    ("body", "content_type", "url", "kind"),
    [
        (
            b'<?xml version="1.0"?>\n<!-- c --><rss version="2.0"><channel/></rss>',
            None,
            URL,
            "feed",
        ),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"/>', "text/html", URL, "feed"),
        (b"<rdf:RDF xmlns:rdf='x'/>", None, URL, "feed"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', None, URL, "jsonfeed"),
        (b'{"items": []}', "application/json", URL, "jsonfeed"),
        (b'{"hello": 1}', "application/json", URL, "text"),
        (b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'/>", None, URL, "sitemap"),
        (b"<sitemapindex/>", "application/octet-stream", URL, "sitemapindex"),
        (gzip.compress(b"<urlset/>"), None, URL + ".xml.gz", "sitemap"),
        (b'<?xml version="1.0"?><opml version="2.0"/>', None, URL, "opml"),
        (b"<!DOCTYPE html><html></html>", None, URL, "html"),
        (b"  <html lang=en><p>x", None, URL, "html"),
        (b"<p>fragment</p>", None, URL, "html"),
        (b"just words", None, URL, "text"),
        (b"just words", None, "https://e.com/list.opml", "opml"),
        ("<rss/>".encode("utf-16"), None, URL, "feed"),
    ],
)
def test_detect_kind(body: bytes, content_type: str | None, url: str, kind: str) -> None:
    assert detect_kind(body, content_type, url) == kind


def test_read_html(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text("<html><head><title> A &amp; B </title></head><body>x</body></html>")
    doc = read_local(page)
    assert (doc.kind, doc.title, doc.front_matter) == ("html", "A & B", {})


def test_read_text_utf8_and_legacy_charset(tmp_path: Path) -> None:
    utf8 = tmp_path / "note.txt"
    utf8.write_bytes("\ufeffHéllo wörld\nsecond".encode())
    doc = read_local(utf8)
    assert (doc.kind, doc.content, doc.title, doc.encoding) == (
        "text",
        "Héllo wörld\nsecond",
        "Héllo wörld",
        "utf-8",
    )
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes(("Très élevé, déjà vu à côté — " * 20).encode("cp1252"))
    doc = read_local(legacy)
    assert doc.content.startswith("Très élevé")
    assert doc.encoding != "utf-8"


def test_read_markdown_with_and_without_front_matter(tmp_path: Path) -> None:
    with_fm = tmp_path / "a.md"
    with_fm.write_text("---\ntitle: Front\ntags: [a, b]\n---\n# Heading\n\nBody\n")
    doc = read_local(with_fm)
    assert doc.kind == "markdown"
    assert doc.front_matter == {"title": "Front", "tags": ["a", "b"]}
    assert doc.title == "Front"
    assert doc.content == "# Heading\n\nBody\n"
    plain = tmp_path / "b.markdown"
    plain.write_text("# Only heading\n\ntext\n")
    doc = read_local(plain)
    assert (doc.front_matter, doc.title) == ({}, "Only heading")
    empty = tmp_path / "c.md"
    empty.write_text("---\n---\nbody\n")
    assert read_local(empty).content == "body\n"


def test_bad_front_matter_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: ok\nlist: [unclosed\nmore: x\n---\nbody\n")
    with pytest.raises(ParseError) as info:
        read_local(bad)
    assert info.value.path == str(bad)
    assert info.value.line is not None and info.value.line >= 3
    not_mapping = tmp_path / "list.md"
    not_mapping.write_text("---\n- a\n- b\n---\nbody\n")
    with pytest.raises(ParseError, match="not a mapping"):
        read_local(not_mapping)
    unclosed = tmp_path / "open.md"
    unclosed.write_text("---\ntitle: x\nbody\n")
    with pytest.raises(ParseError, match="not closed"):
        read_local(unclosed)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="cannot read"):
        read_local(tmp_path / "nope.txt")


def test_article_source() -> None:
    source = article_source(" https://e.com/story ", title="S")
    assert (source.url, source.kind, source.title) == ("https://e.com/story", "article", "S")
    for bad in ("ftp://e.com/x", "/relative", "https://"):
        with pytest.raises(ParseError):
            article_source(bad)


_XMLISH = st.sampled_from(
    [
        b"<rss>",
        b"<channel>",
        b"<item>",
        b"<title>",
        b"</item>",
        b"<feed>",
        b"<entry>",
        b"<opml>",
        b"<outline xmlUrl='https://e.com/f'>",
        b"<urlset>",
        b"<url><loc>",
        b"&amp;",
        b"&",
        b"<!--",
        b"<![CDATA[",
        b"]]>",
        b"<?xml version='1.0'?>",
        b"{",
        b'"items": [',
        b"\xff",
        b"\x00",
    ]
)
_BODIES = st.binary(max_size=300) | st.lists(_XMLISH | st.binary(max_size=8), max_size=30).map(
    b"".join
)


@settings(max_examples=300, deadline=None)
@given(_BODIES)
def test_readers_fail_only_with_parse_error(body: bytes) -> None:
    """Whatever the bytes, readers return a result or raise ParseError, nothing else."""
    assert detect_kind(body, None, URL) in KINDS
    for reader in (
        lambda: parse_feed(body, URL),
        lambda: parse_sitemap(body, URL),
        lambda: read_opml(body),
    ):
        with contextlib.suppress(ParseError):
            reader()
