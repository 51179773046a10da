"""JSON Feed 1.0 / 1.1 (https://jsonfeed.org), read with :mod:`json` (feedparser cannot).

Produces the same ``ParsedFeed`` as the XML formats; the caller (``parse_feed``) dedupes.
``content_html`` goes through the same HTML sanitizer feedparser applies to XML feeds (scripts,
event handlers and the like removed), so both kinds of feed carry equally safe HTML.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from feedparser import sanitizer as _feedparser_sanitizer  # type: ignore[import-untyped, unused-ignore]

from topicwire.errors import ParseError
from topicwire.limits import MAX_ENTRIES, json_depth_problem, no_lone_surrogates
from topicwire.sources.feedtypes import (
    FeedEntry,
    ParsedFeed,
    absolute_url,
    clean_text,
    fallback_guid,
    html_to_text,
    refused_link,
    sanitize_date,
    skipped_links_warning,
)

_SANITIZE: Callable[[str, str, str], str] | None = getattr(
    _feedparser_sanitizer, "_sanitize_html", None
)


def sanitize_html(value: str | None) -> str | None:
    """Clean an HTML fragment with feedparser's sanitizer (escape it all if that is missing)."""
    if not value:
        return None
    if _SANITIZE is None:
        return html.escape(value)
    return _SANITIZE(value, "utf-8", "text/html") or None


_VERSION = re.compile(r"^https?://jsonfeed\.org/version/1(\.\d+)?/?$")


def looks_like_json(body: bytes, content_type: str | None) -> bool:
    """True when the content type says JSON or the body starts with ``{``."""
    if content_type and "json" in content_type.lower():
        return True
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def parse_json_feed(body: bytes, url: str, *, now: datetime) -> ParsedFeed:
    """Parse a JSON Feed document; ``ParseError`` when it is not JSON or not a JSON Feed."""
    too_deep = json_depth_problem(body)
    if too_deep:
        raise ParseError(f"refused: the JSON document is {too_deep}", path=url)
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise ParseError(f"not a feed: invalid JSON ({exc})", path=url, line=line) from exc
    if not isinstance(data, dict):
        raise ParseError("not a feed: JSON document is not an object", path=url)
    version = str(data.get("version") or "")
    items = data.get("items")
    warnings: list[str] = []
    if not _VERSION.match(version):
        if not isinstance(items, list):
            raise ParseError("not a feed: JSON document without a JSON Feed version", path=url)
        warnings.append(f"JSON Feed version missing or unknown: {version!r}")
    if not isinstance(items, list):
        warnings.append("JSON Feed has no items list")
        items = []
    site = absolute_url(_str(data.get("home_page_url")), url)
    base = _str(data.get("feed_url")) or url
    if len(items) > MAX_ENTRIES:
        warnings.append(f"{len(items):,} items; only the first {MAX_ENTRIES:,} were read")
        items = items[:MAX_ENTRIES]
    objects = [item for item in items if isinstance(item, dict)]
    if len(objects) != len(items):
        warnings.append(f"{len(items) - len(objects)} items were not JSON objects; skipped")
    refused = [refused_link(_link(item), base) for item in objects]
    entries = [
        _entry(item, base, now) for item, bad in zip(objects, refused, strict=True) if not bad
    ]
    skipped = skipped_links_warning([bad for bad in refused if bad])
    if skipped:
        warnings.append(skipped)
    return ParsedFeed(
        kind="jsonfeed",
        title=clean_text(_str(data.get("title"))),
        site_url=site,
        entries=entries,
        warnings=warnings,
    )


def _str(value: Any) -> str | None:
    """A string, number or nothing; a lone surrogate (JSON's ``"\\ud800"``, which no UTF-8 text
    can hold) becomes U+FFFD."""
    if isinstance(value, str):
        return no_lone_surrogates(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _list(value: Any) -> list[Any]:
    """``value`` when it is a JSON array, else an empty list (``"tags": 5`` is no list)."""
    return value if isinstance(value, list) else []


def _date(value: Any) -> datetime | None:
    text = _str(value)
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        return None


def _author(item: dict[str, Any]) -> str | None:
    authors = item.get("authors")
    candidates = authors if isinstance(authors, list) else []
    if isinstance(item.get("author"), dict):
        candidates = [item["author"], *candidates]
    names = [_str(a.get("name")) for a in candidates if isinstance(a, dict)]
    return ", ".join(n for n in names if n) or None


def _image(item: dict[str, Any], base: str) -> str | None:
    for key in ("image", "banner_image"):
        found = absolute_url(_str(item.get(key)), base)
        if found:
            return found
    for attachment in _list(item.get("attachments")):
        if isinstance(attachment, dict) and str(attachment.get("mime_type", "")).startswith(
            "image/"
        ):
            found = absolute_url(_str(attachment.get("url")), base)
            if found:
                return found
    return None


def _link(item: dict[str, Any]) -> str | None:
    return _str(item.get("url")) or _str(item.get("external_url"))


def _entry(item: dict[str, Any], base: str, now: datetime) -> FeedEntry:
    link = absolute_url(_link(item), base)
    title = clean_text(_str(item.get("title")))
    content_html = sanitize_html(_str(item.get("content_html")))
    summary = (
        clean_text(_str(item.get("summary")))
        or _str(item.get("content_text"))
        or html_to_text(content_html)
    )
    published, problem_p = sanitize_date(_date(item.get("date_published")), now, "published")
    updated, problem_u = sanitize_date(_date(item.get("date_modified")), now, "updated")
    guid = (_str(item.get("id")) or "").strip() or link or fallback_guid(title, summary)
    tags = [
        no_lone_surrogates(t).strip()
        for t in _list(item.get("tags"))
        if isinstance(t, str) and t.strip()
    ]
    return FeedEntry(
        guid=guid,
        url=link,
        title=title,
        summary=summary,
        content_html=content_html,
        published_at=published,
        updated_at=updated,
        author=_author(item),
        image_url=_image(item, base),
        tags=tags,
        date_problem="; ".join(p for p in (problem_p, problem_u) if p) or None,
    )
