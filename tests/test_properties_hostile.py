"""Generated hostile input for every reader of untrusted text: one bad input is refused with the
project's own error (or read), never another exception, and what is written reads back the same.

The record codec (YAML injection in titles, quotes, control characters, NUL, lone surrogates),
the stored-JSON codec, URL canonicalisation, feeds (RSS, Atom, JSON Feed), OPML, sitemaps and
content sniffing are each fed generated documents, mutated bytes and deep nesting. The long runs
of the same readers are the atheris targets in ``fuzz/``.
"""

from __future__ import annotations

import contextlib
import json
import math
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from topicwire.errors import ParseError, RecordError, StoreError, TopicwireError
from topicwire.limits import web_url_problem
from topicwire.model import Article, Provider, Source
from topicwire.record import dump_record, parse_record, read_record, write_record
from topicwire.sources import KINDS, detect_kind, parse_feed, parse_sitemap, read_opml, write_opml
from topicwire.sources.feedtypes import absolute_url
from topicwire.sources.local import split_front_matter
from topicwire.store.codec import decode_value, encode_value
from topicwire.urls import canonical_key

NOW = datetime(2025, 6, 1, tzinfo=UTC)
FEED_URL = "https://example.com/feed.xml"
_SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --------------------------------------------------------------------------- hostile text

#: pieces that break naive YAML, XML, JSON or URL handling when spliced into a value
_HOSTILE_PIECES = st.sampled_from(
    [
        "\n---\nheat: 100", "\n---\n", "---", "...", "\nheat: 100\n", "title: x", ": ", " #",
        "#", '"', "'", "\\", "\\n", "\\0", "&a ", "*a", "!!python/object:os.system", "!!binary",
        "? ", "- ", "[", "]", "{", "}", "%YAML 1.1", "@", "`", "|", ">", "<<: *a", "~", "null",
        "yes", "0x1F", "1e3", ".nan", "2024-01-01", "\x00", "\x01", "\x07", "\x1b", "\x7f",
        "\x85", "\xa0", "\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff", "\r", "\r\n", "\t",
        "\u202e", "\U0001f680", "é", "e\u0301", "<script>alert(1)</script>", "]]>", "&amp;",
        "&#0;", "</title>", "javascript:alert(1)", "http://[::1", " ",
    ]
)  # fmt: skip
#: text without lone surrogates (a UTF-8 file cannot hold those)
hostile_text = st.lists(_HOSTILE_PIECES | st.text(max_size=6), max_size=8).map("".join)
#: text that may hold lone surrogates, as ``json.loads`` gives for ``"\ud800"``
surrogate_text = st.lists(
    hostile_text | st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=4
).map("".join)


# --------------------------------------------------------------------------- record codec

_dates = st.none() | st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
articles = st.builds(
    Article,
    title=hostile_text,
    excerpt=st.none() | hostile_text,
    original_url=st.none() | hostile_text,
    web_url=st.none() | hostile_text,
    published_at=_dates,
    category=st.none() | hostile_text,
    heat=st.none() | st.integers(-(2**40), 2**40),
    topics=st.lists(hostile_text, max_size=3),
    provider=st.none() | st.builds(Provider, name=hostile_text, domain=hostile_text),
    secured=st.none() | hostile_text,
    extra=st.dictionaries(
        st.from_regex(r"x[a-zA-Z_]{0,8}", fullmatch=True), hostile_text, max_size=2
    ),
    body=hostile_text,
)


@_SETTINGS
@given(articles)
def test_hostile_text_in_a_record_reads_back_as_written(article: Article) -> None:
    """YAML injection in a title stays in the title: reading gives back every value."""
    written = dump_record(article)
    again = parse_record(written)
    assert again == article
    assert again.heat == article.heat  # no "\n---\nheat: 100" became a field
    assert dump_record(again) == written


@settings(max_examples=40, deadline=None)
@given(articles)
def test_a_written_record_file_reads_back(
    tmp_path_factory: pytest.TempPathFactory, article: Article
) -> None:
    path = tmp_path_factory.mktemp("rec") / "a.md"
    write_record(article, path)
    assert read_record(path) == article


@_SETTINGS
@given(surrogate_text)
def test_a_title_no_file_can_hold_is_still_written_readably(title: str) -> None:
    """Lone surrogates (from a JSON ``"\\ud800"``) cannot be stored as such; the record that is
    written must still be valid UTF-8 and read back, the rest of the title intact."""
    written = dump_record(Article(title=title, body=title))
    written.encode("utf-8")
    again = parse_record(written)
    clean = "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in title)
    assert again.title == clean


_YAMLISH = st.sampled_from(
    [
        "---\n", "---\r\n", "\ufeff---\n", "...\n", "title: ", "title: x\n", "heat: 1\n",
        "publishedAt: ", "0001-01-01\n", "9999-12-31T23:59:59+14:00\n", "topics:\n  - ",
        "provider:\n  name: x\n", "images: [", "related:\n  - title: t\n", "&a [*a, *a]\n",
        "? [a]\n", "!!set {a}\n", "!!binary aGk=\n", "!!python/tuple [1]\n", "!!timestamp x\n",
        "<<: {a: 1}\n", "- x\n", "x: !!float nan\n", "'", '"', "\t", "  ", ": ", "\x00", "\x85",
        "{", "}", "[", "]", "#", "\n",
    ]
)  # fmt: skip
record_texts = st.lists(_YAMLISH | st.text(max_size=5), max_size=20).map("".join)


@settings(max_examples=300, deadline=None)
@given(record_texts)
def test_any_text_reads_as_a_record_or_a_record_error(text: str) -> None:
    try:
        article = parse_record(text, path="x.md")
    except RecordError as error:
        assert error.path == "x.md"
        return
    assert parse_record(dump_record(article)) == article


@settings(max_examples=300, deadline=None)
@given(record_texts)
def test_any_front_matter_reads_or_is_a_parse_error(text: str) -> None:
    try:
        front, _ = split_front_matter(text, path="x.md")
    except ParseError:
        return
    assert all(isinstance(key, str) for key in front)


@_SETTINGS
@given(st.binary(max_size=200))
def test_any_bytes_read_as_a_record_or_a_record_error(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("rec") / "x.md"
    path.write_bytes(b"---\ntitle: t\n---\n" + data if data[:1] == b"!" else data)
    with contextlib.suppress(RecordError):
        read_record(path)


#: values PyYAML's constructors fail on with their own exceptions, not YAMLError (found by the
#: record fuzz target): a tag the text cannot be, year 0, an int of over 4,300 digits
_BAD_TYPED_VALUES = [
    '!!timestamp "A title"', "!!timestamp 2024-13-45", "!!timestamp 2024-01-01T00:00:00+99:00",
    "!!int abc", "!!int 0x", "!!float abc", "!!bool maybe", "!!set [a]", "!!map [a]",
    "0000-01-01", "9" * 5000,
]  # fmt: skip


@pytest.mark.parametrize("value", _BAD_TYPED_VALUES, ids=lambda value: value[:24])
def test_a_value_its_yaml_type_cannot_read_is_the_readers_error(value: str) -> None:
    text = f"---\ntitle: t\nx: {value}\n---\n"
    with pytest.raises(RecordError, match="invalid YAML"):
        parse_record(text, path="x.md")
    with pytest.raises(ParseError, match="bad front matter"):
        split_front_matter(text, path="x.md")


@pytest.mark.parametrize("year", [1, 609, 999, 1000])
def test_a_date_before_the_year_1000_reads_back_as_a_date(year: int) -> None:
    """An unknown key's year-609 date was written ``609-12-23T00:00:00Z``, which YAML reads as a
    string (found by the record fuzz target)."""
    when = datetime(year, 12, 23, 1, 2, 3, 40, tzinfo=UTC)
    article = Article(title="t", extra={"seenAt": when})
    assert parse_record(dump_record(article)).extra == {"seenAt": when}


@pytest.mark.parametrize("value", ["1160", "ab", "[1, 2]", "[]", "null", "{x: 1}"])
def test_a_front_matter_key_named_extra_reads_and_round_trips(value: str) -> None:
    """``extra: 5`` in a record was a TypeError out of the model (found by the fuzz target)."""
    article = parse_record(f"---\ntitle: t\nextra: {value}\n---\n")
    written = dump_record(article)
    assert parse_record(written) == article
    assert dump_record(parse_record(written)) == written


# --------------------------------------------------------------------------- stored JSON

_stored_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | hostile_text
    | st.dates()
    | st.datetimes(timezones=st.none() | st.just(UTC))
    | st.binary(max_size=8)
)
_stored_keys = st.sampled_from(["$date", "$pairs", "$", "$$", "a", ""]) | hostile_text
stored_values = st.recursive(
    _stored_scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(_stored_keys, inner, max_size=3)
        | st.dictionaries(st.integers() | st.dates() | st.booleans(), inner, max_size=2)
        | st.lists(inner, max_size=2).map(tuple)
    ),
    max_leaves=8,
)


def _same(a: Any, b: Any) -> bool:
    """Equality in which NaN equals NaN."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, list | tuple) and type(a) is type(b):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and bool(a == b)


@_SETTINGS
@given(st.dictionaries(hostile_text, stored_values, max_size=4))
def test_extra_values_survive_the_stored_json(extra: dict[str, Any]) -> None:
    stored = json.loads(json.dumps(encode_value(extra)))
    assert _same(decode_value(stored), extra)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | hostile_text,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(_stored_keys | st.sampled_from(["$datetime", "$time", "$float"]), inner)
    ),
    max_leaves=8,
)


@_SETTINGS
@given(_json_values)
def test_foreign_stored_json_decodes_or_is_a_store_error(data: Any) -> None:
    """A database row edited by hand (``{"$date": 5}``) is a StoreError, not a TypeError."""
    with contextlib.suppress(StoreError):
        decode_value(data)


# --------------------------------------------------------------------------- URLs

_URL_PIECES = st.sampled_from(
    [
        "http", "HTTPS", "javascript", "data", "mailto", ":", "//", "///", "/", "\\", "?", "#",
        "&", "=", "@", "[", "]", "[::1]", "[v1.x]", ":80", ":443", ":99999", ":-1", "%", "%00",
        "%zz", "utm_source=a", "fbclid", "Example.COM", "xn--", "a", " ", "\t", "\n", "\x00",
        "\x7f", "\u3000", "\ufeff", "é", "..", "\u2215", "\uff0f",
    ]
)  # fmt: skip
hostile_urls = st.lists(_URL_PIECES | st.text(max_size=4), max_size=14).map("".join)


@settings(max_examples=400, deadline=None)
@given(hostile_urls)
def test_canonical_key_refuses_only_with_value_error_and_is_idempotent(url: str) -> None:
    try:
        key = canonical_key(url)
    except ValueError:
        return
    assert canonical_key(key) == key
    assert key == key.strip()


@settings(max_examples=400, deadline=None)
@given(hostile_urls, st.sampled_from([FEED_URL, "https://[::1]/a/", "http://e.com"]))
def test_url_checks_never_raise(url: str, base: str) -> None:
    web_url_problem(url)
    resolved = absolute_url(url, base)
    # "http\n://e.com" was returned as it was: a link with a newline in it (found by fuzzing)
    assert resolved is None or resolved.lower().startswith(("http:", "https:"))
    assert resolved is None or not set(resolved) & set("\t\r\n")


@pytest.mark.parametrize(
    ("link", "resolved"),
    [
        ("http\n://e.com/a", "http://e.com/a"),
        ("ht\ttp://e.com/a", "http://e.com/a"),
        ("\x01https://e.com/b ", "https://e.com/b"),
        ("/a\r\nb", "https://example.com/ab"),
        (" \x00 ", None),
    ],
)
def test_a_link_is_resolved_without_the_characters_url_parsers_drop(
    link: str, resolved: str | None
) -> None:
    """A sitemap <loc>http\r://...</loc> came out with the CR in it (found by fuzzing)."""
    assert absolute_url(link, FEED_URL) == resolved
    assert detect_kind(b"", None, "//[") == "text"  # an address urlsplit refuses is no hint


# --------------------------------------------------------------------------- feeds

_DATES_TEXT = st.sampled_from(
    [
        "Tue, 10 Jun 2003 04:00:00 GMT", "Mon, 01 Jan 0001 00:00:00 GMT", "2024-01-01T00:00:00Z",
        "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "yesterday", "", "2024-13-45",
        "Fri, 31 Dec 9999 23:59:59 -1400", "1e9",
    ]
)  # fmt: skip
_items = st.lists(
    st.fixed_dictionaries(
        {
            "title": hostile_text,
            "link": hostile_urls | st.just("https://example.com/a"),
            "date": _DATES_TEXT,
            "guid": st.none() | hostile_text,
            "summary": hostile_text,
        }
    ),
    max_size=4,
)


def _x(text: str) -> str:
    """Text as XML character data, characters XML cannot carry dropped."""
    return escape(
        "".join(c for c in text if c in "\t\n\r" or (c >= " " and c not in "\ufffe\uffff"))
    )


def _rss(title: str, items: list[dict[str, Any]]) -> bytes:
    head = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
    parts = [f"{head}<title>{_x(title)}</title>"]
    for item in items:
        guid = f"<guid>{_x(item['guid'])}</guid>" if item["guid"] is not None else ""
        parts.append(
            f"<item><title>{_x(item['title'])}</title><link>{_x(item['link'])}</link>{guid}"
            f"<pubDate>{_x(item['date'])}</pubDate>"
            f"<description>{_x(item['summary'])}</description>"
            f'<enclosure url={quoteattr(_x(item["link"]))} type="image/png"/></item>'
        )
    return ("".join(parts) + "</channel></rss>").encode("utf-8", "surrogatepass")


def _atom(title: str, items: list[dict[str, Any]]) -> bytes:
    parts = [f'<feed xmlns="http://www.w3.org/2005/Atom"><title>{_x(title)}</title>']
    for item in items:
        parts.append(
            f"<entry><id>{_x(item['guid'] or '')}</id><title>{_x(item['title'])}</title>"
            f"<link href={quoteattr(_x(item['link']))}/><updated>{_x(item['date'])}</updated>"
            f'<content type="html">{_x(item["summary"])}</content></entry>'
        )
    return ("".join(parts) + "</feed>").encode("utf-8", "surrogatepass")


def _mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """Apply byte edits: (kind, position, bytes) with kind 0 insert, 1 delete, 2 overwrite."""
    out = bytearray(data)
    for kind, position, chunk in edits:
        at = position % (len(out) + 1)
        if kind == 0:
            out[at:at] = chunk
        elif kind == 1:
            del out[at : at + len(chunk) + 1]
        else:
            out[at : at + len(chunk)] = chunk
    return bytes(out)


_edits = st.lists(
    st.tuples(
        st.integers(0, 2),
        st.integers(0, 10_000),
        st.binary(min_size=1, max_size=4) | st.sampled_from([b"<", b">", b"&", b"\x00", b"]]>"]),
    ),
    max_size=6,
)


def _check_feed(body: bytes, content_type: str | None = None) -> None:
    """parse_feed refuses with a TopicwireError or gives entries that keep its promises."""
    try:
        feed = parse_feed(body, FEED_URL, content_type=content_type, now=NOW)
    except TopicwireError:
        return
    for entry in feed.entries:
        assert entry.guid
        assert entry.url is None or entry.url.split(":", 1)[0].lower() in ("http", "https")
        for when in (entry.published_at, entry.updated_at):
            assert when is None or (when.tzinfo is not None and when <= NOW.replace(minute=15))


@_SETTINGS
@given(hostile_text, _items, st.booleans(), _edits)
def test_generated_xml_feeds_parse_or_are_refused(
    title: str, items: list[dict[str, Any]], atom: bool, edits: list[tuple[int, int, bytes]]
) -> None:
    body = (_atom if atom else _rss)(title, items)
    _check_feed(body)
    _check_feed(_mutate(body, edits), "text/xml; charset=iso-8859-1")


_json_feed_items = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "id": st.none() | hostile_text | st.integers() | st.floats(allow_nan=False),
            "url": hostile_urls,
            "external_url": st.booleans() | hostile_urls,
            "title": surrogate_text | st.lists(st.integers(), max_size=2),
            "content_html": surrogate_text,
            "content_text": st.integers() | hostile_text,
            "summary": hostile_text,
            "date_published": _DATES_TEXT | st.integers() | st.none(),
            "date_modified": _DATES_TEXT,
            "tags": st.lists(surrogate_text | st.integers() | st.none(), max_size=3)
            | hostile_text
            | st.integers()
            | st.booleans(),
            "authors": st.lists(
                st.fixed_dictionaries({}, optional={"name": hostile_text | st.integers()})
                | hostile_text,
                max_size=2,
            )
            | st.integers(),
            "author": st.fixed_dictionaries({"name": hostile_text}) | hostile_text,
            "image": hostile_urls | st.integers(),
            "attachments": st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "url": hostile_urls,
                        "mime_type": st.just("image/png") | st.integers(),
                    },
                )
                | st.none(),
                max_size=2,
            )
            | hostile_text
            | st.integers(),
        },
    )
    | st.none()
    | hostile_text,
    max_size=4,
)
_json_feeds = st.fixed_dictionaries(
    {"version": st.just("https://jsonfeed.org/version/1.1") | hostile_text | st.integers()},
    optional={
        "title": surrogate_text | st.integers(),
        "home_page_url": hostile_urls,
        "feed_url": hostile_urls | st.just("javascript:alert(1)"),
        "items": _json_feed_items | st.integers() | hostile_text,
    },
)


@_SETTINGS
@given(_json_feeds, _edits)
def test_generated_json_feeds_parse_or_are_refused(
    feed: dict[str, Any], edits: list[tuple[int, int, bytes]]
) -> None:
    body = json.dumps(feed).encode()
    _check_feed(body)
    _check_feed(body, "application/feed+json")
    _check_feed(_mutate(body, edits), "application/feed+json")


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 50_000), st.sampled_from(["json", "rss", "atom"]))
def test_deep_nesting_is_read_or_refused(depth: int, kind: str) -> None:
    if kind == "json":
        body = b'{"version": "https://jsonfeed.org/version/1", "items": [' + b"[" * depth
        body += b"]" * depth + b"]}"
    elif kind == "rss":
        body = b'<rss version="2.0"><channel><item><title>t</title><description>'
        body += (
            b"<div>" * depth + b"x" + b"</div>" * depth + b"</description></item></channel></rss>"
        )
    else:
        body = b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id>'
        body += b"<x>" * depth + b"</x>" * depth + b"</entry></feed>"
    _check_feed(body)
    with contextlib.suppress(ParseError):
        assert detect_kind(body, None, FEED_URL) in KINDS


# --------------------------------------------------------------------------- OPML

_outline_attrs = st.fixed_dictionaries(
    {"text": hostile_text},
    optional={"xmlUrl": hostile_urls | st.just("https://example.com/f"), "title": hostile_text},
)


def _outline(attrs: dict[str, str], children: str = "") -> str:
    shown = " ".join(f"{name}={quoteattr(_x(value))}" for name, value in attrs.items())
    return f"<outline {shown}>{children}</outline>" if children else f"<outline {shown}/>"


opml_bodies = st.recursive(
    _outline_attrs.map(_outline),
    lambda inner: st.tuples(_outline_attrs, st.lists(inner, max_size=3)).map(
        lambda pair: _outline(pair[0], "".join(pair[1]))
    ),
    max_leaves=8,
).map(lambda body: f'<?xml version="1.0"?><opml version="2.0"><body>{body}</body></opml>')


def _check_opml(data: bytes) -> None:
    try:
        result = read_opml(data, path="x.opml")
    except ParseError:
        return
    urls = [source.url for source in result.sources]
    assert len(urls) == len(set(urls))
    assert all(url.split(":", 1)[0].lower() in ("http", "https") for url in urls)
    assert set(result.categories) <= set(urls)


@_SETTINGS
@given(opml_bodies, _edits, st.sampled_from([b"", b"&", b'"', b"<outline", b"\x00"]))
def test_generated_opml_reads_or_is_refused(
    body: str, edits: list[tuple[int, int, bytes]], junk: bytes
) -> None:
    data = body.encode("utf-8", "surrogatepass")
    _check_opml(data)
    _check_opml(_mutate(data, edits) + junk)


@_SETTINGS
@given(
    st.lists(
        st.tuples(
            hostile_urls.map(lambda s: "https://e.com/" + s.strip()), st.none() | hostile_text
        ),
        max_size=5,
        unique_by=lambda pair: pair[0],
    ),
    hostile_text,
)
def test_hostile_titles_survive_an_opml_export(
    feeds: list[tuple[str, str | None]], category: str
) -> None:
    sources = [Source(url=url, kind="feed", title=title) for url, title in feeds]
    written = write_opml(sources, title=category, categories={url: category for url, _ in feeds})
    result = read_opml(written.encode("utf-8", "surrogatepass"))
    assert len(result.sources) <= len(sources)


@pytest.mark.parametrize("encoding", ["UTF-8xmlurh", "EUC-JP", "shift_jis", "x"])
def test_an_encoding_the_xml_parser_cannot_read_is_recovered(encoding: str) -> None:
    """expat raises LookupError or ValueError for these, not a parse error (found by fuzzing)."""
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>'
    opml = f'{declaration}<opml><body><outline text="A" xmlUrl="https://e.com/f"/></body></opml>'
    result = read_opml(opml.encode())
    assert [source.url for source in result.sources] == ["https://e.com/f"]
    assert result.recovered
    sitemap = f"{declaration}<urlset><url><loc>https://e.com/a</loc></url></urlset>"
    parsed = parse_sitemap(sitemap.encode(), "https://e.com/sitemap.xml")
    assert [url.loc for url in parsed.urls] == ["https://e.com/a"]


# --------------------------------------------------------------------------- sitemaps

_locs = hostile_urls | st.just("https://example.com/a") | st.just("/relative")


def _sitemap(locs: list[tuple[str, str]], index: bool) -> bytes:
    if index:
        inner = "".join(f"<sitemap><loc>{_x(loc)}</loc></sitemap>" for loc, _ in locs)
        root = "sitemapindex"
    else:
        inner = "".join(
            f"<url><loc>{_x(loc)}</loc><lastmod>{_x(when)}</lastmod><news:news>"
            f"<news:publication_date>{_x(when)}</news:publication_date></news:news></url>"
            for loc, when in locs
        )
        root = "urlset"
    return (
        f'<{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{inner}</{root}>'
    ).encode("utf-8", "surrogatepass")


@_SETTINGS
@given(st.lists(st.tuples(_locs, _DATES_TEXT), max_size=5), st.booleans(), _edits)
def test_generated_sitemaps_parse_or_are_refused(
    locs: list[tuple[str, str]], index: bool, edits: list[tuple[int, int, bytes]]
) -> None:
    body = _sitemap(locs, index)
    for data in (body, _mutate(body, edits)):
        try:
            sitemap = parse_sitemap(data, "https://example.com/sitemap.xml")
        except ParseError:
            continue
        for url in sitemap.urls:
            assert url.loc.lower().startswith(("http:", "https:"))
        assert all(loc.split(":", 1)[0].lower() in ("http", "https") for loc in sitemap.sitemaps)


# --------------------------------------------------------------------------- sniffing

_SNIFF_PIECES = st.sampled_from(
    [
        b"\xef\xbb\xbf", b"\xff\xfe", b"\x1f\x8b", b"<?xml version='1.0'?>", b"<!DOCTYPE html>",
        b"<!DOCTYPE x [", b"<!--", b"-->", b"<rss>", b"<feed>", b"<urlset>", b"<opml>", b"<html>",
        b"{", b'"items": [', b"jsonfeed.org/version", b"[", b"\x00", b" ",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_SNIFF_PIECES | st.binary(max_size=6), max_size=12).map(b"".join),
    st.none() | st.sampled_from(["application/feed+json", "text/html", "x/y; charset=\x00"]),
    hostile_urls,
)
def test_detect_kind_names_a_kind_for_anything(
    body: bytes, content_type: str | None, url: str
) -> None:
    with contextlib.suppress(ParseError):  # only a document too deep to look into is refused
        assert detect_kind(body, content_type, url) in KINDS
