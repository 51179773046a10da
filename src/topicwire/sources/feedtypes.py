"""What a parsed feed looks like, and the clean-up every feed format shares.

``ParsedFeed`` and ``FeedEntry`` are format-neutral: RSS 0.9x/1.0/2.0, Atom and JSON Feed all end
up here. The helpers below are applied to every entry whatever its format: absolute URLs, dates in
UTC that are never in the future, HTML reduced to text for summaries, duplicates removed.
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin, urlsplit

from topicwire.limits import EARLIEST_DATE, MAX_LINE_CHARS, web_url_problem
from topicwire.model import to_utc

logger = logging.getLogger(__name__)

#: How far past the fetch time a date may lie before it counts as "in the future".
FUTURE_SKEW = timedelta(minutes=15)

_UNKNOWN = "is out of range; treated as unknown"


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed. Dates are aware UTC datetimes; URLs are absolute.

    ``guid`` is the entry's own id, else its URL, else ``sha1:<hex>`` of its title and summary.
    ``date_problem`` says what was wrong with a date that was clamped (a date in the future).
    """

    guid: str
    url: str | None = None
    title: str | None = None
    summary: str | None = None
    content_html: str | None = None
    published_at: datetime | None = None
    updated_at: datetime | None = None
    author: str | None = None
    image_url: str | None = None
    tags: list[str] = field(default_factory=list)
    date_problem: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A whole feed: its kind (``rss``, ``atom``, ``rdf`` or ``jsonfeed``), metadata and entries.

    ``warnings`` lists what was tolerated: the feed was not well formed, a charset was wrong,
    duplicate entries were dropped, dates were clamped. An empty list means a clean parse.
    """

    kind: str
    title: str | None = None
    site_url: str | None = None
    ttl_minutes: int | None = None
    entries: list[FeedEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DROP_BLOCKS = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def html_to_text(value: str | None) -> str | None:
    """Reduce an HTML fragment to plain text with single spaces; ``None`` when nothing is left."""
    if not value:
        return None
    text = _DROP_BLOCKS.sub(" ", _CONTROL.sub("", value))
    text = html.unescape(_TAG.sub(" ", text))
    text = _SPACE.sub(" ", text).strip()
    return text or None


def clean_text(value: str | None) -> str | None:
    """Strip a title-like value (HTML tags and control characters removed, at most
    ``MAX_LINE_CHARS`` characters kept); ``None`` if empty."""
    text = html_to_text(value)
    return text[:MAX_LINE_CHARS] if text else text


#: what URL parsers drop: tabs and newlines anywhere, C0 controls and spaces at the ends.
#: urljoin drops them too but returns a URL whose scheme differs from the base's as given
#: ("http\n://e.com" stayed so), so they are removed first.
_URL_TAB_OR_NEWLINE = dict.fromkeys(map(ord, "\t\r\n"))
_C0_OR_SPACE = "".join(chr(code) for code in range(0x21))


def absolute_url(value: str | None, base: str) -> str | None:
    """Resolve ``value`` against ``base``; only http(s) results with a host are kept.

    A value that cannot be split (``http://[::1`` has an unclosed IPv6 host) is no URL: ``None``;
    so is one without a host (``http:80``, which ``urljoin`` leaves as it is).
    """
    cleaned = value.translate(_URL_TAB_OR_NEWLINE).strip().strip(_C0_OR_SPACE) if value else ""
    if not cleaned:
        return None
    try:
        joined = urljoin(base, cleaned)
        parts = urlsplit(joined)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
    except ValueError:
        return None
    return joined


def refused_link(value: str | None, base: str) -> str | None:
    """Why an entry's link is refused (it resolves to no http(s) URL: ``javascript:``, ``data:``,
    ``mailto:``), or ``None`` when it is fine or there is none."""
    if not value or not value.strip() or absolute_url(value, base) is not None:
        return None
    try:
        return web_url_problem(urljoin(base, value.strip())) or "not a usable URL"
    except ValueError:
        return "not a usable URL"


def skipped_links_warning(problems: list[str]) -> str | None:
    """The feed's warning for the entries skipped because of their links (``None`` if none)."""
    if not problems:
        return None
    count = "1 entry" if len(problems) == 1 else f"{len(problems)} entries"
    return f"{count} skipped, the link refused: {problems[0]}"


def sanitize_date(
    value: datetime | None, now: datetime, label: str
) -> tuple[datetime | None, str | None]:
    """Return ``value`` in UTC, clamped to ``now`` when it lies beyond ``now + FUTURE_SKEW``.

    A date before ``EARLIEST_DATE`` (1990; ``Mon, 01 Jan 0001`` is a placeholder) is unknown:
    ``None``. The second item describes the clamp or the refusal (``None`` when the date was
    fine).
    """
    if value is None:
        return None, None
    try:
        value = to_utc(value)
    except (OverflowError, ValueError):  # an offset that pushes it past year 1 or 9999
        return None, f"{label} date {value.isoformat()} {_UNKNOWN}"
    if value < EARLIEST_DATE:
        return None, f"{label} date {value.isoformat()} {_UNKNOWN}"
    if value > now + FUTURE_SKEW:
        return now, f"{label} date {value.isoformat()} is in the future; clamped to fetch time"
    return value, None


def fallback_guid(title: str | None, summary: str | None) -> str:
    """A stable id for an entry that has neither an id nor a URL."""
    digest = hashlib.sha1(f"{title or ''}\n{summary or ''}".encode(), usedforsecurity=False)
    return "sha1:" + digest.hexdigest()


def dedupe_entries(entries: list[FeedEntry]) -> tuple[list[FeedEntry], int]:
    """Drop entries whose guid was already seen; return the rest and the number dropped.

    The guid falls back to the URL, so entries without ids are deduplicated by URL. Two entries
    with distinct ids that share a URL are both kept (some feeds link every item to one page).
    """
    seen: set[str] = set()
    kept: list[FeedEntry] = []
    for entry in entries:
        if entry.guid in seen:
            continue
        seen.add(entry.guid)
        kept.append(entry)
    return kept, len(entries) - len(kept)


def finish_feed(feed: ParsedFeed) -> ParsedFeed:
    """Dedupe the entries of ``feed`` and record dropped duplicates and clamped dates."""
    entries, dropped = dedupe_entries(feed.entries)
    warnings = list(feed.warnings)
    if dropped:
        warnings.append(
            f"{dropped} duplicate entries dropped (same guid, or same URL without a guid)"
        )
    clamped = sum(1 for e in entries if e.date_problem and "in the future" in e.date_problem)
    if clamped:
        warnings.append(f"{clamped} entries had dates in the future; clamped to fetch time")
    unknown = sum(1 for e in entries if e.date_problem and "treated as unknown" in e.date_problem)
    if unknown:
        warnings.append(
            f"{unknown} entries had dates before {EARLIEST_DATE.year} or out of range; "
            "treated as unknown"
        )
    if warnings:
        logger.debug("feed parsed with warnings: %s", "; ".join(warnings))
    return replace(feed, entries=entries, warnings=warnings)


def utc_now() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)
