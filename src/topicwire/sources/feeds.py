"""Parse a feed document (RSS 0.9x/1.0/2.0, Atom, JSON Feed) into a ``ParsedFeed``.

XML goes through feedparser, but only after ``scan_for_entities`` has refused any DOCTYPE that
declares entities, and always as an in-memory stream (feedparser would otherwise treat bytes as a
file name). JSON Feed is read with :mod:`json` by :mod:`topicwire.sources.jsonfeed`.

Tolerance: a document feedparser flags as not well formed ("bozo") still yields its entries, and
the problem is recorded in ``ParsedFeed.warnings``. A document that is not a feed at all raises
``ParseError`` saying so.
"""

from __future__ import annotations

import calendar
import io
import logging
import re
import time
from datetime import UTC, datetime
from typing import Any

import feedparser  # type: ignore[import-untyped, unused-ignore]

from topicwire.errors import ParseError
from topicwire.limits import MAX_ENTRIES
from topicwire.sources import jsonfeed
from topicwire.sources.detect import xml_root_name
from topicwire.sources.feedtypes import (
    FeedEntry,
    ParsedFeed,
    absolute_url,
    clean_text,
    fallback_guid,
    finish_feed,
    html_to_text,
    refused_link,
    sanitize_date,
    skipped_links_warning,
    utc_now,
)
from topicwire.sources.xmlsafety import check_size, gunzip_capped, scan_for_entities

__all__ = ["FeedEntry", "ParsedFeed", "parse_feed"]

logger = logging.getLogger(__name__)

_KINDS = {"atom": "atom", "rss10": "rdf", "rss090": "rdf", "cdf": "rss"}
_XML_ENCODING = re.compile(rb"<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)", re.IGNORECASE)
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S)
_IMAGE_EXT = re.compile(r"\.(jpe?g|png|gif|webp|avif|svg)(\?|$)", re.IGNORECASE)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def parse_feed(
    body: bytes,
    url: str,
    *,
    content_type: str | None = None,
    now: datetime | None = None,
) -> ParsedFeed:
    """Parse ``body`` fetched from ``url`` (``content_type`` is the HTTP header, if known).

    ``now`` is the fetch time used to clamp future dates (defaults to the current time).
    Raises ``ParseError`` for refused documents (XML entities, over the size cap) and for
    documents that are not feeds.
    """
    now = now or utc_now()
    body = gunzip_capped(body, path=url)
    check_size(body, path=url)
    if jsonfeed.looks_like_json(body, content_type):
        return finish_feed(jsonfeed.parse_json_feed(body, url, now=now))
    scan_for_entities(body, path=url)
    headers, warnings = _response_headers(body, url, content_type)
    try:
        result = feedparser.parse(io.BytesIO(body), response_headers=headers)
    except Exception as exc:  # map the third-party library's failures at our boundary
        logger.debug("feedparser raised on %s", url, exc_info=True)
        raise ParseError(f"the feed parser failed: {type(exc).__name__}: {exc}", path=url) from exc
    version = str(result.get("version") or "")
    entries = list(result.get("entries") or [])
    if not version and not entries:
        version = _version_from_root(body)
        if not version or result.get("bozo"):
            raise ParseError(_not_a_feed(body, result), path=url)
    if result.get("bozo"):
        warnings.append(f"not well formed, parsed tolerantly: {_bozo_text(result)}")
    channel = result.get("feed") or {}
    base = str(result.get("href") or url) or url
    if len(entries) > MAX_ENTRIES:
        warnings.append(f"{len(entries):,} entries; only the first {MAX_ENTRIES:,} were read")
        del entries[MAX_ENTRIES:]
    refused = [refused_link(item.get("link"), url) for item in entries]
    parsed = ParsedFeed(
        kind=_kind(version),
        title=clean_text(channel.get("title")),
        site_url=absolute_url(channel.get("link"), base),
        ttl_minutes=_ttl(channel.get("ttl")),
        entries=[
            _entry(item, url, now) for item, bad in zip(entries, refused, strict=True) if not bad
        ],
        warnings=warnings,
    )
    skipped = skipped_links_warning([bad for bad in refused if bad])
    if skipped:
        warnings.append(skipped)
    return finish_feed(parsed)


def _response_headers(
    body: bytes, url: str, content_type: str | None
) -> tuple[dict[str, str], list[str]]:
    """Headers for feedparser; an HTTP charset that contradicts the document itself is dropped.

    Servers often send ``text/xml; charset=iso-8859-1`` for UTF-8 feeds (a common cause of
    mojibake), so a byte-order mark or an XML declaration's encoding wins over the HTTP charset.
    """
    headers = {"content-location": url}
    warnings: list[str] = []
    if not content_type:
        headers["content-type"] = "application/xml"
        return headers, warnings
    media, _, params = content_type.partition(";")
    charset = _param(params, "charset")
    declared = _declared_encoding(body)
    if charset and declared and charset.lower() != declared.lower():
        warnings.append(
            f"HTTP charset {charset!r} contradicts the document's {declared!r}; used the document's"
        )
        headers["content-type"] = media.strip()
    elif charset or declared:
        headers["content-type"] = content_type
    else:
        # RFC 3023 would make text/xml without charset US-ASCII; let feedparser sniff instead.
        headers["content-type"] = "application/xml" if "xml" in media else media.strip()
    return headers, warnings


def _param(params: str, name: str) -> str | None:
    for part in params.split(";"):
        key, _, value = part.partition("=")
        if key.strip().lower() == name:
            return value.strip().strip("\"'") or None
    return None


def _declared_encoding(body: bytes) -> str | None:
    if body.startswith(_BOMS[0]):
        return "utf-8"
    if body.startswith(_BOMS[1:]):
        return "utf-16"
    match = _XML_ENCODING.match(body[:200].lstrip())
    return match.group(1).decode("ascii") if match else None


def _not_a_feed(body: bytes, result: Any) -> str:
    if _HTML_START.match(body[:4096]):
        return "not a feed: the document is an HTML page (look for a <link rel=alternate> feed)"
    if not body.strip():
        return "not a feed: the document is empty"
    if result.get("bozo"):
        return f"not a feed: no RSS, Atom or RDF root element ({_bozo_text(result)})"
    return "not a feed: no RSS, Atom or RDF root element"


def _bozo_text(result: Any) -> str:
    exc = result.get("bozo_exception")
    text = str(exc) if exc is not None else "unknown problem"
    return f"{type(exc).__name__}: {text}" if exc is not None else text


def _version_from_root(body: bytes) -> str:
    """A feedparser-style version for an empty feed feedparser did not name (CDF, RSS 0.90)."""
    root = xml_root_name(body)
    return {"rss": "rss", "channel": "cdf", "feed": "atom", "rdf": "rss10"}.get(root or "", "")


def _kind(version: str) -> str:
    for prefix, kind in _KINDS.items():
        if version.startswith(prefix):
            return kind
    return "rss"


def _ttl(value: Any) -> int | None:
    try:
        minutes = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return minutes if minutes > 0 else None


def _struct_to_datetime(value: Any) -> datetime | None:
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _entry(item: Any, feed_url: str, now: datetime) -> FeedEntry:
    link = absolute_url(item.get("link"), feed_url)
    title = clean_text(item.get("title"))
    summary_html = item.get("summary")
    contents = item.get("content") or []
    content_html = str(contents[0].get("value")) if contents else None
    summary = html_to_text(summary_html) or html_to_text(content_html)
    # dict.get skips feedparser's deprecated updated -> published key mapping.
    updated_raw = _struct_to_datetime(dict.get(item, "updated_parsed"))
    published_raw = _struct_to_datetime(dict.get(item, "published_parsed")) or updated_raw
    published, problem_p = sanitize_date(published_raw, now, "published")
    updated, problem_u = sanitize_date(updated_raw, now, "updated")
    raw_id = str(item.get("id") or "").strip()
    guid = raw_id or link or fallback_guid(title, summary)
    return FeedEntry(
        guid=guid,
        url=link,
        title=title,
        summary=summary,
        content_html=content_html or None,
        published_at=published,
        updated_at=updated,
        author=clean_text(item.get("author")),
        image_url=_image(item, feed_url),
        tags=[str(t.get("term")).strip() for t in item.get("tags") or [] if t.get("term")],
        date_problem="; ".join(p for p in (problem_p, problem_u) if p) or None,
    )


def _image(item: Any, base: str) -> str | None:
    """The first image among enclosures, media:content and media:thumbnail."""
    for enclosure in item.get("enclosures") or []:
        href = enclosure.get("href")
        if str(enclosure.get("type") or "").startswith("image/") or _IMAGE_EXT.search(href or ""):
            found = absolute_url(href, base)
            if found:
                return found
    for media in item.get("media_content") or []:
        medium = str(media.get("medium") or "")
        kind = str(media.get("type") or "")
        href = media.get("url")
        if medium == "image" or kind.startswith("image/") or _IMAGE_EXT.search(href or ""):
            found = absolute_url(href, base)
            if found:
                return found
    for thumb in item.get("media_thumbnail") or []:
        found = absolute_url(thumb.get("url"), base)
        if found:
            return found
    return None
