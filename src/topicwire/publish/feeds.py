"""Syndication feeds of a snapshot: Atom, RSS 2.0 and JSON Feed 1.1, for the site and per topic.

Paths (relative to ``out/``): ``feed.xml`` (Atom), ``rss.xml`` (RSS 2.0), ``feed.json``
(JSON Feed 1.1), and the same three under ``topics/<topic-id>/`` for each topic.

Every feed lists the newest published articles first (at most :data:`MAX_ENTRIES`), each linking
to its page on our site and, as a second link, to the outlet's ``webUrl``. Titles and summaries
are plain text: the XML is built with :mod:`xml.etree.ElementTree`, which escapes them, and RSS
descriptions (which readers take as HTML) carry the summary HTML-escaped once more, so markup a
hostile source put into a title or an excerpt shows as text and never runs. Output bytes depend on
the snapshot alone.
"""

from __future__ import annotations

import functools
import html
import json
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

from topicwire.model import Article, Topic
from topicwire.publish.snapshot import FORMATS_CACHED, PublishedArticle, Snapshot

#: most entries one feed carries
MAX_ENTRIES = 50

ATOM_NS = "http://www.w3.org/2005/Atom"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
GENERATOR = "topicwire"

#: characters XML 1.0 does not allow in a document (control characters, surrogates, U+FFFE/F)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class _Feed:
    """What one feed is about: its title, description, paths and entries (newest first)."""

    title: str
    description: str
    #: out/-relative path of the page the feed mirrors ("" for the home page)
    home_path: str
    #: out/-relative folder of the feed files ("" for the site's, ``topics/<id>/`` for a topic's)
    folder: str
    entries: tuple[PublishedArticle, ...]


def render_feeds(snapshot: Snapshot) -> dict[str, bytes]:
    """Atom, RSS and JSON Feed files for the whole site and for each topic, by out/ path."""
    feeds = [
        _Feed(
            title=snapshot.title,
            description=f"The latest news on {snapshot.title}.",
            home_path="",
            folder="",
            entries=_entries(snapshot.published()),
        )
    ]
    for topic in snapshot.topics:
        feeds.append(_topic_feed(snapshot, topic))
    out: dict[str, bytes] = {}
    for feed in feeds:
        out[f"{feed.folder}feed.xml"] = _atom(snapshot, feed)
        out[f"{feed.folder}rss.xml"] = _rss(snapshot, feed)
        out[f"{feed.folder}feed.json"] = _json_feed(snapshot, feed)
    return out


def outlet_url(article: Article) -> str | None:
    """The outlet's address of an article (``webUrl``, else ``originalUrl``) when it is an
    absolute http(s) URL; anything else (``javascript:``, relative, empty) gives ``None``."""
    for candidate in (article.web_url, article.original_url):
        if candidate and _is_web_url(candidate):
            return candidate
    return None


def one_line(text: str | None) -> str:
    """``text`` with runs of white space (newlines included) reduced to single spaces and the
    characters XML cannot carry removed ("" for ``None``)."""
    if not text:
        return ""
    return _SPACE.sub(" ", _NOT_XML.sub("", text)).strip()


@functools.lru_cache(maxsize=FORMATS_CACHED)
def rfc3339(value: datetime) -> str:
    """``2026-11-20T15:00:00Z`` (fractional seconds only when there are any)."""
    moment = value.astimezone(UTC)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        stamp += f".{moment.microsecond:06d}"
    return stamp + "Z"


@functools.lru_cache(maxsize=FORMATS_CACHED)
def rfc822(value: datetime) -> str:
    """``Fri, 20 Nov 2026 15:00:00 GMT`` (English names whatever the process locale)."""
    return format_datetime(value.astimezone(UTC), usegmt=True)


def _is_web_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _entries(articles: Sequence[PublishedArticle]) -> tuple[PublishedArticle, ...]:
    """The newest published articles that have a page of their own (syndicated copies are
    coverage of their original, not entries)."""
    own: list[PublishedArticle] = []
    for article in articles:  # a listing loads its articles as they are read: stop early
        if article.copy_of_id is None:
            own.append(article)
            if len(own) == MAX_ENTRIES:
                break
    return tuple(own)


def _topic_feed(snapshot: Snapshot, topic: Topic) -> _Feed:
    return _Feed(
        title=f"{snapshot.title}: {topic.name}",
        description=one_line(topic.description) or f"The latest news about {topic.name}.",
        home_path=f"topics/{topic.id}/",
        folder=f"topics/{topic.id}/",
        entries=_entries(snapshot.in_topic(topic)),
    )


def _identifier(snapshot: Snapshot, path: str) -> str:
    """A stable, absolute ID: the page URL when the site has a base URL, else a name-based UUID
    of the path (a relative URL is not a valid Atom ID)."""
    if snapshot.base_url:
        return snapshot.url(path)
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'topicwire:{path}')}"


def _changed(article: Article) -> datetime | None:
    return article.updated_at or article.published_at


def _feed_updated(snapshot: Snapshot, feed: _Feed) -> datetime:
    """The newest article's time, else when the snapshot was taken."""
    times = [t for t in (_changed(a.article) for a in feed.entries) if t is not None]
    return max(times) if times else snapshot.generated_at


def _provider_name(article: Article) -> str:
    provider = article.provider
    if provider is None:
        return ""
    return one_line(provider.name) or one_line(provider.domain)


def _topic_ids(snapshot: Snapshot) -> dict[str, str]:
    return {t.name: t.id for t in snapshot.topics}


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, tag, attrs)
    if text is not None:
        child.text = text
    return child


#: what ``ET.tostring(..., encoding="utf-8", xml_declaration=True)`` starts with
_DECLARATION = b"<?xml version='1.0' encoding='utf-8'?>\n"


def _xml_bytes(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    # serialised to text and encoded once: the same bytes as ElementTree's own UTF-8 output,
    # which sends each of its many small writes through an encoder (a third of the feeds' time)
    text = ET.tostring(root, encoding="unicode")
    return _DECLARATION + text.encode("utf-8", "xmlcharrefreplace") + b"\n"


def _atom(snapshot: Snapshot, feed: _Feed) -> bytes:
    # the namespace is declared as a plain attribute and the tags stay unprefixed, so the
    # document reads <feed xmlns="...Atom"> without touching ElementTree's global prefix registry
    root = ET.Element("feed", {"xmlns": ATOM_NS, "xml:lang": snapshot.locale})
    _sub(root, "title", one_line(feed.title), type="text")
    _sub(root, "subtitle", one_line(feed.description), type="text")
    _sub(root, "id", _identifier(snapshot, feed.home_path))
    _sub(root, "updated", rfc3339(_feed_updated(snapshot, feed)))
    _sub(
        root,
        "link",
        rel="self",
        type="application/atom+xml",
        href=snapshot.url(f"{feed.folder}feed.xml"),
    )
    _sub(root, "link", rel="alternate", type="text/html", href=snapshot.url(feed.home_path))
    author = _sub(root, "author")
    _sub(author, "name", one_line(snapshot.title))
    _sub(root, "generator", GENERATOR)
    ids = _topic_ids(snapshot)
    for item in feed.entries:
        article = item.article
        entry = _sub(root, "entry")
        _sub(entry, "title", one_line(article.title), type="text")
        _sub(entry, "id", _identifier(snapshot, item.page_path))
        _sub(entry, "link", rel="alternate", type="text/html", href=snapshot.url(item.page_path))
        outlet = outlet_url(article)
        if outlet:
            _sub(entry, "link", rel="related", type="text/html", href=outlet)
        if article.published_at is not None:
            _sub(entry, "published", rfc3339(article.published_at))
        _sub(entry, "updated", rfc3339(_changed(article) or _feed_updated(snapshot, feed)))
        name = _provider_name(article)
        if name:
            writer = _sub(entry, "author")
            _sub(writer, "name", name)
            if outlet:
                parts = urlsplit(outlet)
                _sub(writer, "uri", f"{parts.scheme}://{parts.netloc}/")
        for topic in article.topics:
            _sub(entry, "category", term=ids.get(topic, one_line(topic)), label=one_line(topic))
        summary = one_line(article.excerpt)
        if summary:
            _sub(entry, "summary", summary, type="text")
    return _xml_bytes(root)


def _rss(snapshot: Snapshot, feed: _Feed) -> bytes:
    root = ET.Element("rss", {"version": "2.0", "xmlns:atom": ATOM_NS})
    channel = _sub(root, "channel")
    _sub(channel, "title", one_line(feed.title))
    _sub(channel, "link", snapshot.url(feed.home_path))
    _sub(channel, "description", html.escape(one_line(feed.description), quote=False))
    _sub(channel, "language", snapshot.locale.lower())
    _sub(channel, "lastBuildDate", rfc822(_feed_updated(snapshot, feed)))
    _sub(channel, "generator", GENERATOR)
    _sub(
        channel,
        "atom:link",
        rel="self",
        type="application/rss+xml",
        href=snapshot.url(f"{feed.folder}rss.xml"),
    )
    for item in feed.entries:
        article = item.article
        entry = _sub(channel, "item")
        # RSS titles are plain text to readers (escaped once by the serializer) ...
        _sub(entry, "title", one_line(article.title))
        _sub(entry, "link", snapshot.url(item.page_path))
        identifier = _identifier(snapshot, item.page_path)
        permalink = "true" if identifier == snapshot.url(item.page_path) else "false"
        _sub(entry, "guid", identifier, isPermaLink=permalink)
        if article.published_at is not None:
            _sub(entry, "pubDate", rfc822(article.published_at))
        # ... descriptions are HTML to readers: escape the plain text once more
        summary = one_line(article.excerpt)
        if summary:
            _sub(entry, "description", html.escape(summary, quote=False))
        for topic in article.topics:
            _sub(entry, "category", one_line(topic))
        outlet = outlet_url(article)
        if outlet:
            _sub(entry, "source", _provider_name(article) or outlet, url=outlet)
    return _xml_bytes(root)


def _json_feed(snapshot: Snapshot, feed: _Feed) -> bytes:
    items: list[dict[str, Any]] = []
    for item in feed.entries:
        article = item.article
        entry: dict[str, Any] = {
            "id": _identifier(snapshot, item.page_path),
            "url": snapshot.url(item.page_path),
        }
        outlet = outlet_url(article)
        if outlet:
            entry["external_url"] = outlet
        entry["title"] = one_line(article.title)
        summary = one_line(article.excerpt)
        entry["content_text"] = summary or one_line(article.title)
        if summary:
            entry["summary"] = summary
        if article.published_at is not None:
            entry["date_published"] = rfc3339(article.published_at)
        if article.updated_at is not None:
            entry["date_modified"] = rfc3339(article.updated_at)
        name = _provider_name(article)
        if name:
            entry["authors"] = [{"name": name}]
        if article.topics:
            entry["tags"] = [one_line(t) for t in article.topics]
        items.append(entry)
    document: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": one_line(feed.title),
        "home_page_url": snapshot.url(feed.home_path),
        "feed_url": snapshot.url(f"{feed.folder}feed.json"),
        "description": one_line(feed.description),
        "language": snapshot.locale,
        "authors": [{"name": one_line(snapshot.title)}],
        "items": items,
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
