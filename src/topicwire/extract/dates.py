"""Published and updated dates: page metadata first, htmldate as the fallback.

Rules, in order:

1. The first metadata date that parses (JSON-LD ``datePublished``, ``article:published_time``,
   other ``<meta>`` dates) wins; when there is none, htmldate looks for the original date, first
   without its extensive search (and then with it, when ``EXTENSIVE_SEARCH`` is set).
2. A date more than ``FUTURE_SKEW`` after ``now``, or before 1990 (``limits.EARLIEST_DATE``:
   ``"datePublished": "0001-01-01T00:00:00Z"`` is a placeholder some publishers leave), is
   rejected (the next candidate is tried); none left means the date is unknown.
3. When the URL holds a date (``/2023/11/05/`` or ``2023-11-05``) and the page date has the same
   year with day and month swapped (2023-05-11), the URL's date is taken (the page's time of day
   kept) and a ``date-swap`` repair is recorded.
4. ``updated`` comes from metadata only; it is dropped when it precedes ``published``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime

from htmldate import find_date
from lxml.html import HtmlElement  # type: ignore[import-untyped]

from topicwire.extract.repair import Repairs
from topicwire.limits import EARLIEST_DATE

log = logging.getLogger(__name__)

#: htmldate's extensive search (dateparser over the whole page) as a second try; measured on the
#: trafilatura benchmark pages it costs ~40 ms a page (more than trafilatura itself) and finds a
#: date on few pages the fast search missed, so it is off unless a caller asks for it
EXTENSIVE_SEARCH = False

#: how far in the future a date may be (clock skew, time zones) before it is rejected
FUTURE_SKEW = timedelta(hours=6)

_URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)[/-](\d\d)[/-](\d\d)(?!\d)")
_ISO_PREFIX = re.compile(r"^\s*((?:19|20)\d\d)[-/.](\d\d?)[-/.](\d\d?)")


@dataclass
class PageDates:
    """The dates chosen for an article and the repairs made while choosing them."""

    published: datetime | None = None
    updated: datetime | None = None
    repairs: Repairs = field(default_factory=Repairs)


def parse_date(value: str | None) -> datetime | None:
    """An aware UTC datetime from an ISO 8601, RFC 2822 or ``YYYY-MM-DD...`` string, else None."""
    if not value or not value.strip():
        return None
    text = value.strip()
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text.replace(" ", "T", 1) if " " in text else text)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            match = _ISO_PREFIX.match(text)
            if match:
                try:
                    year, month, day = (int(g) for g in match.groups())
                    parsed = datetime(year, month, day)
                except ValueError:
                    return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):  # year 1 or 9999 pushed past the calendar's end
        return None


def url_date(url: str | None) -> date | None:
    """The date written in ``url``'s path (``/2023/11/05/``, ``2023-11-05``), if any."""
    if not url:
        return None
    match = _URL_DATE.search(url)
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def fix_swap(found: datetime, url: str | None, repairs: Repairs) -> datetime:
    """``found`` with day and month put back when they are swapped relative to the URL's date."""
    in_url = url_date(url)
    if (
        in_url is not None
        and found.year == in_url.year
        and found.month != found.day
        and (found.month, found.day) == (in_url.day, in_url.month)
    ):
        repairs.add("date-swap")
        return found.replace(month=in_url.month, day=in_url.day)
    return found


def _first_valid(values: Iterable[str | None], limit: datetime) -> datetime | None:
    for value in values:
        parsed = parse_date(value)
        if parsed is not None and EARLIEST_DATE <= parsed <= limit:
            return parsed
    return None


def _htmldate(tree: HtmlElement, url: str | None, now: datetime) -> str | None:
    for extensive in (False, True) if EXTENSIVE_SEARCH else (False,):
        try:
            found: str | None = find_date(
                tree,
                url=url,
                original_date=True,
                extensive_search=extensive,
                outputformat="%Y-%m-%d",
                max_date=now.strftime("%Y-%m-%d"),
            )
        except Exception as exc:  # htmldate is a heuristic: a failure means "no date"
            log.debug("htmldate failed on %s: %s", url, exc)
            return None
        if found:
            return found
    return None


def choose_dates(
    published: Iterable[str],
    modified: Iterable[str],
    *,
    tree: HtmlElement | None = None,
    url: str | None = None,
    now: datetime | None = None,
) -> PageDates:
    """Pick the published and updated dates (see the module docstring for the rules)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    limit = now + FUTURE_SKEW
    result = PageDates()
    found = _first_valid(published, limit)
    if found is None and tree is not None:
        found = _first_valid([_htmldate(tree, url, now)], limit)
    if found is not None:
        found = fix_swap(found, url, result.repairs)
        result.published = found if found <= limit else None
    updated = _first_valid(modified, limit)
    if updated is not None:
        updated = fix_swap(updated, url, Repairs())
        if result.published is None or updated >= result.published:
            result.updated = updated
    return result
