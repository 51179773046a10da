"""parse_feed: every feed format, safety refusals, tolerance, dates, links and duplicates."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from topicwire.errors import ParseError
from topicwire.sources import parse_feed
from topicwire.sources.feedtypes import FUTURE_SKEW

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
FEED_URL = "https://example.com/blog/feed.xml"

RSS091 = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
  "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel>
<title>Caf\xe9 News</title><link>https://example.com/</link><description>d</description>
<item><title>First</title><link>https://example.com/1</link><description>One</description></item>
</channel></rss>"""

RSS20 = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Example &amp; Co</title>
  <link>https://example.com/</link>
  <ttl>30</ttl>
  <item>
    <title>Hello <b>world</b></title>
    <link>/posts/1</link>
    <guid isPermaLink="false">post-1</guid>
    <description>&lt;p&gt;Short &lt;em&gt;summary&lt;/em&gt;&lt;/p&gt;</description>
    <content:encoded><![CDATA[<p>Full <a href="/x">body</a></p>]]></content:encoded>
    <pubDate>Fri, 31 May 2024 10:00:00 +0200</pubDate>
    <author>jane@example.com (Jane)</author>
    <category>Science</category><category>Space</category>
    <enclosure url="/img/1.jpg" type="image/jpeg" length="1"/>
  </item>
  <item>
    <title>Second</title>
    <link>post2.html</link>
    <media:thumbnail url="https://cdn.example.com/2.png"/>
  </item>
</channel></rss>"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://example.org/"><title>RDF site</title>
    <link>https://example.org/</link><description>x</description></channel>
  <item rdf:about="https://example.org/a"><title>A</title><link>https://example.org/a</link>
    <dc:date>2024-05-30T08:00:00Z</dc:date></item>
</rdf:RDF>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://atom.example.net/">
  <title>Atom site</title><link href="https://atom.example.net/" rel="alternate"/>
  <id>urn:x</id><updated>2024-05-31T00:00:00Z</updated>
  <entry><title type="html">Entry &amp;lt;1&amp;gt;</title><id>tag:atom.example.net,2024:1</id>
    <link href="entries/1" rel="alternate"/>
    <published>2024-05-30T10:00:00-05:00</published><updated>2024-05-31T00:00:00Z</updated>
    <content type="html">&lt;p&gt;Body&lt;/p&gt;</content>
    <author><name>Ann</name></author></entry>
</feed>"""


def _rss_items(items: str) -> bytes:
    return f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


def test_rss091_with_netscape_doctype_and_latin1() -> None:
    feed = parse_feed(RSS091, FEED_URL, now=NOW)
    assert feed.kind == "rss"
    assert feed.title == "Café News"
    assert [e.title for e in feed.entries] == ["First"]
    assert feed.entries[0].guid == "https://example.com/1"


def test_rss20_fields() -> None:
    feed = parse_feed(RSS20, FEED_URL, content_type="application/rss+xml", now=NOW)
    assert (feed.kind, feed.title, feed.site_url, feed.ttl_minutes) == (
        "rss",
        "Example & Co",
        "https://example.com/",
        30,
    )
    first, second = feed.entries
    assert first.guid == "post-1"
    assert first.url == "https://example.com/posts/1"
    assert first.title == "Hello world"
    assert first.summary == "Short summary"
    assert first.content_html is not None and "body" in first.content_html
    assert first.published_at == datetime(2024, 5, 31, 8, 0, tzinfo=UTC)
    assert first.author is not None and "Jane" in first.author
    assert first.tags == ["Science", "Space"]
    assert first.image_url == "https://example.com/img/1.jpg"
    assert second.url == "https://example.com/blog/post2.html"
    assert second.guid == second.url
    assert second.image_url == "https://cdn.example.com/2.png"
    assert feed.warnings == []


def test_rdf_and_atom() -> None:
    rdf = parse_feed(RDF, "https://example.org/index.rdf", now=NOW)
    assert rdf.kind == "rdf"
    assert rdf.entries[0].published_at == datetime(2024, 5, 30, 8, tzinfo=UTC)
    atom = parse_feed(ATOM, "https://atom.example.net/feed", now=NOW)
    assert atom.kind == "atom"
    entry = atom.entries[0]
    assert entry.url == "https://atom.example.net/entries/1"
    assert entry.title == "Entry <1>"
    assert entry.published_at == datetime(2024, 5, 30, 15, tzinfo=UTC)
    assert entry.author == "Ann"
    assert entry.summary == "Body"


def test_json_feed() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "JSON site",
        "home_page_url": "https://json.example.com/",
        "feed_url": "https://json.example.com/feed.json",
        "items": [
            {
                "id": "1",
                "url": "/posts/1",
                "title": "One",
                "content_html": "<p>Hi <b>there</b></p>",
                "date_published": "2024-05-30T10:00:00+02:00",
                "authors": [{"name": "Bo"}],
                "tags": ["a", "b"],
                "image": "https://json.example.com/i.png",
            },
            {"id": "1", "content_text": "duplicate id"},
            {"id": "2", "content_text": "plain"},
        ],
    }
    feed = parse_feed(json.dumps(doc).encode(), "https://json.example.com/feed.json", now=NOW)
    assert feed.kind == "jsonfeed"
    assert feed.title == "JSON site"
    assert [e.guid for e in feed.entries] == ["1", "2"]
    one = feed.entries[0]
    assert one.url == "https://json.example.com/posts/1"
    assert one.summary == "Hi there"
    assert one.published_at == datetime(2024, 5, 30, 8, tzinfo=UTC)
    assert (one.author, one.tags, one.image_url) == (
        "Bo",
        ["a", "b"],
        "https://json.example.com/i.png",
    )
    assert any("duplicate" in w for w in feed.warnings)


def test_json_that_is_not_a_feed() -> None:
    with pytest.raises(ParseError, match="not a feed"):
        parse_feed(b'{"hello": "world"}', FEED_URL)
    with pytest.raises(ParseError, match="invalid JSON"):
        parse_feed(b'{"version": ', FEED_URL, content_type="application/feed+json")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<rss version="2.0"><channel><title>&lol3;</title>
<item><title>&lol3;</title></item></channel></rss>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<rss version="2.0"><channel><title>x</title>
<item><title>&xxe;</title><description>&xxe;</description></item></channel></rss>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, XXE, XXE.decode().encode("utf-16")])
def test_entity_declarations_are_refused(body: bytes) -> None:
    with pytest.raises(ParseError, match="refused: the feed declares XML entities") as info:
        parse_feed(body, FEED_URL)
    assert "root:" not in str(info.value)


def test_xxe_content_never_appears() -> None:
    try:
        result = repr(parse_feed(XXE, FEED_URL))
    except ParseError as exc:
        result = str(exc)
    assert "root:x:0:0" not in result
    passwd = Path("/etc/passwd")
    if passwd.exists():
        first_line = passwd.read_text(errors="replace").splitlines()[0]
        assert first_line not in result


def test_entity_text_inside_cdata_is_not_refused() -> None:
    body = _rss_items(
        '<item><title>XXE</title><description><![CDATA[<!DOCTYPE x [<!ENTITY a "b">]>]]>'
        "</description><guid isPermaLink='false'>g</guid></item>"
    )
    assert parse_feed(body, FEED_URL, now=NOW).entries[0].guid == "g"


def test_html_page_is_not_a_feed() -> None:
    page = b"<!DOCTYPE html><html><head><title>Home</title></head><body><p>Hi</p></body></html>"
    with pytest.raises(ParseError, match="not a feed: the document is an HTML page"):
        parse_feed(page, "https://example.com/", content_type="text/html")
    with pytest.raises(ParseError, match="not a feed"):
        parse_feed(b"", FEED_URL)


def test_bozo_feed_keeps_entries_and_warns() -> None:
    body = _rss_items(
        "<item><title>A & B</title><link>https://e.com/a</link></item>"
        "<item><title>C</title><link>https://e.com/c</link></item>"
    )
    feed = parse_feed(body, FEED_URL, now=NOW)
    assert [e.url for e in feed.entries] == ["https://e.com/a", "https://e.com/c"]
    assert any("not well formed" in w for w in feed.warnings)


def test_future_dates_are_clamped_and_recorded() -> None:
    future = (NOW + timedelta(days=3)).strftime("%a, %d %b %Y %H:%M:%S +0000")
    near = (NOW + FUTURE_SKEW / 2).strftime("%a, %d %b %Y %H:%M:%S +0000")
    body = _rss_items(
        f"<item><guid>f</guid><pubDate>{future}</pubDate></item>"
        f"<item><guid>n</guid><pubDate>{near}</pubDate></item>"
    )
    feed = parse_feed(body, FEED_URL, now=NOW)
    far, close = feed.entries
    assert far.published_at == NOW
    assert far.date_problem is not None and "future" in far.date_problem
    assert close.published_at is not None and close.published_at > NOW
    assert close.date_problem is None
    assert any("future" in w for w in feed.warnings)


def test_duplicate_guids_and_urls_are_dropped() -> None:
    body = _rss_items(
        "<item><guid>same</guid><title>1</title></item>"
        "<item><guid>same</guid><title>2</title></item>"
        "<item><link>https://e.com/x</link><title>3</title></item>"
        "<item><link>https://e.com/x</link><title>4</title></item>"
        "<item><title>no id</title></item><item><title>no id</title></item>"
    )
    feed = parse_feed(body, FEED_URL, now=NOW)
    assert [e.title for e in feed.entries] == ["1", "3", "no id"]
    assert feed.entries[2].guid.startswith("sha1:")
    assert "3 duplicate entries dropped" in " ".join(feed.warnings)


def test_http_charset_contradicting_the_document_loses() -> None:
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Ünïcode ☃</title></channel></rss>"
    )
    feed = parse_feed(body.encode(), FEED_URL, content_type="text/xml; charset=iso-8859-1")
    assert feed.title == "Ünïcode ☃"
    assert any("contradicts" in w for w in feed.warnings)


def test_gzip_body_and_no_content_type() -> None:
    import gzip

    feed = parse_feed(gzip.compress(RSS20), FEED_URL, now=NOW)
    assert len(feed.entries) == 2
    assert feed.warnings == []


def test_body_is_never_opened_as_a_path() -> None:
    with pytest.raises(ParseError, match="not a feed"):
        parse_feed(b"/etc/passwd", FEED_URL)


def test_empty_feeds_without_a_version_are_still_feeds() -> None:
    cdf = parse_feed(b"<CHANNEL><TITLE>Example feed</TITLE></CHANNEL>", FEED_URL)
    assert (cdf.kind, cdf.title, cdf.entries) == ("rss", "Example feed", [])
    rss090 = b"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
      xmlns="http://channel.netscape.com/rdf/simple/0.9/"></rdf:RDF>"""
    assert parse_feed(rss090, FEED_URL).kind == "rdf"


def test_control_characters_are_removed_from_titles() -> None:
    body = _rss_items("<item><guid>g</guid><title>ab\x08cd</title></item>")
    assert parse_feed(body, FEED_URL, now=NOW).entries[0].title == "abcd"


def test_json_feed_html_is_sanitized_like_xml_feeds() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1",
        "items": [
            {"id": "x", "content_html": '<p onclick="evil()">Hi<script>alert(1)</script></p>'}
        ],
    }
    entry = parse_feed(json.dumps(doc).encode(), FEED_URL).entries[0]
    assert entry.content_html is not None
    assert "script" not in entry.content_html and "onclick" not in entry.content_html
    assert "Hi" in entry.content_html
