"""The bounds every reader of untrusted input applies before it parses or computes.

A feed, a page, a record or an OPML list comes from somebody else: these limits are checked
before the input reaches a parser (nesting depth, counts, sizes) or arithmetic (dates), so one
hostile input is refused with a reason instead of exhausting the stack, the memory or the
calendar of the process that reads it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

#: deepest nesting of arrays/objects (JSON), collections (YAML) or elements (XML) accepted;
#: real feeds and records nest fewer than 20 levels
MAX_DEPTH = 64

#: the earliest publication date taken as real: earlier ones are typos or placeholders
#: (``0001-01-01`` in JSON-LD) and are treated as unknown
EARLIEST_DATE = datetime(1990, 1, 1, tzinfo=UTC)

#: how far after now a date may lie (clock skew, time zones) before it is treated as unknown
FUTURE_SLACK = timedelta(days=2)

#: schemes an article, entry or record URL may have
WEB_SCHEMES = frozenset({"http", "https"})


def sane_date(value: datetime | None, now: datetime | None = None) -> datetime | None:
    """``value`` when it lies between 1990 and ``now`` + 2 days, else ``None`` (unknown).

    A naive value is taken as UTC. Dates outside that range are placeholders, typos or attacks;
    treating them as unknown keeps them out of every later computation (windows, heat, sorting).
    """
    if value is None:
        return None
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    latest = (now or datetime.now(UTC)) + FUTURE_SLACK
    try:
        if aware < EARLIEST_DATE or aware > latest:
            return None
    except (OverflowError, ValueError):  # an offset that pushes it past year 1 or 9999
        return None
    return value


def web_url_problem(url: str | None) -> str | None:
    """Why ``url`` cannot be an article's address, or ``None`` when it is an http(s) URL."""
    if not url or not url.strip():
        return "no URL"
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "not a usable URL"
    scheme = parts.scheme.lower()
    if scheme not in WEB_SCHEMES:
        shown = f"{scheme}:" if scheme else "no scheme"
        return f"not an http(s) URL ({shown})"
    if not parts.hostname:
        return "the URL has no host"
    return None


def is_web_url(url: str | None) -> bool:
    """True when ``url`` is an http(s) URL with a host."""
    return web_url_problem(url) is None
