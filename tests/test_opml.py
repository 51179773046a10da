"""read_opml / write_opml: strict, recovered and scanned imports; round-trip export."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from topicwire.errors import ParseError
from topicwire.model import Source
from topicwire.sources import read_opml, write_opml

WELL_FORMED = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Mine</title></head><body>
  <outline text="Tech" title="Tech">
    <outline text="AI"><outline type="rss" text="Lab" xmlUrl="https://lab.example.com/feed"/></outline>
    <outline type="rss" text="Gadgets" title="Gadgets &amp; more" xmlUrl="https://g.example.com/rss"/>
  </outline>
  <outline type="rss" text="Top" xmlUrl="https://top.example.com/rss?a=1&amp;b=2"/>
  <outline type="rss" text="Again" xmlUrl="https://top.example.com/rss?a=1&amp;b=2"/>
  <outline type="rss" text="Gopher" xmlUrl="gopher://old.example.com/"/>
  <outline text="Just a folder"/>
</body></opml>"""

# Bare '&' in attributes, an unescaped '"' inside a title and an unclosed outline.
BROKEN = b"""<?xml version="1.0"?>
<opml version="1.0"><head><title>News & views</title></head><body>
  <outline text="News" title="News">
    <outline text="A" title="Science & tech"
             xmlUrl="https://a.example.com/feed?x=1&lang=en" type="rss"/>
    <outline text="B" title="The "best" blog" description="x"
             xmlUrl="https://b.example.com/feed" type="rss"/>
    <outline text="C" title="C" xmlUrl="https://c.example.com/feed" type="rss">
  </outline>
</body>"""


def test_well_formed_opml() -> None:
    result = read_opml(WELL_FORMED)
    assert not result.recovered and result.method == "strict"
    assert [s.url for s in result.sources] == [
        "https://lab.example.com/feed",
        "https://g.example.com/rss",
        "https://top.example.com/rss?a=1&b=2",
    ]
    assert [s.title for s in result.sources] == ["Lab", "Gadgets & more", "Top"]
    assert all(s.kind == "feed" for s in result.sources)
    assert result.categories == {
        "https://lab.example.com/feed": "Tech / AI",
        "https://g.example.com/rss": "Tech",
    }
    assert any("duplicate" in p for p in result.problems)
    assert any("Gopher" in p and "http(s)" in p for p in result.problems)


def test_broken_opml_is_recovered() -> None:
    result = read_opml(BROKEN, path="broken.opml")
    assert result.recovered
    urls = {s.url: s for s in result.sources}
    assert set(urls) == {
        "https://a.example.com/feed?x=1&lang=en",
        "https://b.example.com/feed",
        "https://c.example.com/feed",
    }
    assert urls["https://a.example.com/feed?x=1&lang=en"].title == "Science & tech"
    assert result.categories["https://b.example.com/feed"] == "News"
    assert any("not well-formed" in p for p in result.problems)


def test_tag_scan_is_the_last_resort() -> None:
    garbage = b'\x00\xff<<outline xmlUrl="https://z.example.com/f" title="Z" <<>>>'
    result = read_opml(garbage)
    assert [s.url for s in result.sources] == ["https://z.example.com/f"]
    assert result.recovered


def test_not_opml_and_entities() -> None:
    with pytest.raises(ParseError, match="not an OPML document"):
        read_opml(b"<html><body>hi</body></html>")
    xxe = b'<!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]><opml><body/></opml>'
    with pytest.raises(ParseError, match="declares XML entities"):
        read_opml(xxe)
    empty = read_opml(b'<opml version="2.0"><body/></opml>')
    assert empty.sources == [] and empty.problems


def test_write_opml_escapes_and_nests() -> None:
    sources = [
        Source(url="https://e.com/a?x=1&y=2", title='Quotes " & <tags>'),
        Source(url="https://e.com/b", title=None),
    ]
    text = write_opml(sources, title="T & T", categories={"https://e.com/a?x=1&y=2": "X / Y"})
    assert "&amp;" in text and "&lt;tags&gt;" in text
    back = read_opml(text.encode())
    assert back.method == "strict"
    assert [s.url for s in back.sources] == [s.url for s in sources]
    assert back.sources[0].title == 'Quotes " & <tags>'
    assert back.categories == {"https://e.com/a?x=1&y=2": "X / Y"}


_TITLE_CHARS = st.characters(
    blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"
) | st.sampled_from(list("&<>\"' \t\n"))
_TITLES = st.text(_TITLE_CHARS, max_size=40).map(str.strip).filter(lambda t: "\n" not in t)
_PATHS = st.text(string.ascii_letters + string.digits + "-_.~/?=&%", max_size=30)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_PATHS, st.none() | _TITLES), max_size=8, unique_by=lambda t: t[0]))
def test_write_then_read_round_trips(items: list[tuple[str, str | None]]) -> None:
    sources = [Source(url=f"https://example.com/{p}", title=t or None) for p, t in items]
    back = read_opml(write_opml(sources, title="round trip").encode())
    assert back.method == "strict"
    assert [s.url for s in back.sources] == [s.url for s in sources]
    assert [s.title for s in back.sources] == [s.title for s in sources]


def test_unreadable_outlines_are_counted() -> None:
    data = b"""<opml version="2.0"><body>
      <outline text="ok" xmlUrl="https://ok.example.com/f"/>
      <outline text="lost" xmlUrl="https://lost.example.com/f></body></opml>"""
    result = read_opml(data)
    assert [s.url for s in result.sources] == ["https://ok.example.com/f"]
    assert "1 outlines with an xmlUrl could not be read" in result.problems
