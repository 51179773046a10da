"""When to check a source again.

A successful check waits as long as the server or the feed asks (Cache-Control ``max-age``,
``Expires``, the feed's TTL), else the default interval; a failed check backs off exponentially
with full jitter. ``Retry-After`` is always respected. Every interval is clamped to
``[min_interval, max_interval]``: a failing source is slowed down, never dropped.
"""

from __future__ import annotations

import logging
import random
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Protocol

from topicwire.fetch.config import FetchConfig

log = logging.getLogger(__name__)

_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)", re.IGNORECASE)
_NO_CACHE = re.compile(r"(?:^|,)\s*(?:no-cache|no-store)\b", re.IGNORECASE)


class CheckedResult(Protocol):
    """What :func:`next_check` needs of a fetch result."""

    @property
    def error_kind(self) -> str | None: ...

    @property
    def headers(self) -> dict[str, str]: ...

    @property
    def retry_after(self) -> float | None: ...


def parse_http_date(value: str | None) -> datetime | None:
    """An HTTP date (``Wed, 21 Oct 2015 07:28:00 GMT``) as an aware UTC datetime, or ``None``."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """``Retry-After`` (delay in seconds, or an HTTP date) as seconds from ``now``, or ``None``."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    when = parse_http_date(text)
    if when is None:
        log.debug("unreadable Retry-After %r ignored", value)
        return None
    return max(0.0, (when - now).total_seconds())


def cache_lifetime(headers: dict[str, str], now: datetime) -> timedelta | None:
    """How long the server says the response stays fresh (``max-age``, else ``Expires``)."""
    control = headers.get("cache-control", "")
    if _NO_CACHE.search(control):
        return None
    match = _MAX_AGE.search(control)
    if match:
        return timedelta(seconds=int(match.group(1)))
    expires = parse_http_date(headers.get("expires"))
    if expires is None:
        return None
    date = parse_http_date(headers.get("date")) or now
    return max(timedelta(0), expires - date)


def backoff(error_count: int, config: FetchConfig, rng: random.Random) -> timedelta:
    """Full-jitter exponential backoff: uniform in ``[0, base * 2**(n-1)]``, capped at max."""
    exponent = min(max(error_count, 1) - 1, 32)
    ceiling = min(config.backoff_base * (1 << exponent), config.max_interval)
    return ceiling * rng.random()


def clamp(delay: timedelta, config: FetchConfig) -> timedelta:
    """``delay`` within ``[config.min_interval, config.max_interval]``."""
    return min(max(delay, config.min_interval), config.max_interval)


def next_check(
    result: CheckedResult,
    error_count: int,
    config: FetchConfig,
    now: datetime | None = None,
    *,
    ttl_minutes: float | None = None,
    rng: random.Random | None = None,
) -> datetime:
    """When to fetch the source of ``result`` again.

    ``error_count`` is the number of consecutive failed checks, this one included (0 after a
    success); the check counts as failed when ``result.error_kind`` is set or ``error_count``
    is positive (a body that would not parse is a failure the fetcher cannot see). ``now``
    defaults to the current time. ``ttl_minutes`` is the feed's own hint (RSS ``<ttl>``,
    ``sy:updatePeriod``).
    On success the longest of the server's and the feed's hints wins, else
    ``config.default_interval``. On failure the wait is a full-jitter backoff, and at least
    ``Retry-After`` when the server sent one. The result is always within
    ``[now + min_interval, now + max_interval]``.
    """
    if now is None:
        now = datetime.now(UTC)
    if result.error_kind is not None or error_count > 0:
        delay = backoff(error_count, config, rng or random.Random())
        if result.retry_after is not None:
            delay = max(delay, timedelta(seconds=result.retry_after))
        return now + clamp(delay, config)
    hints: list[timedelta] = []
    lifetime = cache_lifetime(result.headers, now)
    if lifetime is not None:
        hints.append(lifetime)
    if ttl_minutes is not None and ttl_minutes > 0:
        hints.append(timedelta(minutes=ttl_minutes))
    if result.retry_after is not None:
        hints.append(timedelta(seconds=result.retry_after))
    delay = max(hints) if hints else config.default_interval
    return now + clamp(delay, config)
