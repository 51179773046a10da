"""Fetching: polite, safe HTTP for feeds and pages, and when to fetch again.

``Fetcher`` (an async context manager) and ``fetch_all`` (its synchronous wrapper) return
``FetchResult`` objects that carry any error as data; ``next_check`` turns a result into the
time of the next check.

The names are loaded when first asked for: reading the fetch settings (every command does)
does not load the HTTP client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from topicwire.lazy import lazy_names

if TYPE_CHECKING:
    from topicwire.fetch.charset import decode
    from topicwire.fetch.client import Fetcher, fetch_all
    from topicwire.fetch.config import FetchConfig
    from topicwire.fetch.errors import ERROR_KINDS, AddressRefused, FetchError, SchemeRefused
    from topicwire.fetch.guard import GuardedResolver, check_address, check_scheme
    from topicwire.fetch.result import FetchRequest, FetchResult
    from topicwire.fetch.schedule import next_check, parse_retry_after

__all__ = [
    "ERROR_KINDS",
    "AddressRefused",
    "FetchConfig",
    "FetchError",
    "FetchRequest",
    "FetchResult",
    "Fetcher",
    "GuardedResolver",
    "SchemeRefused",
    "check_address",
    "check_scheme",
    "decode",
    "fetch_all",
    "next_check",
    "parse_retry_after",
]

__getattr__ = lazy_names(
    __name__,
    {
        "charset": ["decode"],
        "client": ["Fetcher", "fetch_all"],
        "config": ["FetchConfig"],
        "errors": ["ERROR_KINDS", "AddressRefused", "FetchError", "SchemeRefused"],
        "guard": ["GuardedResolver", "check_address", "check_scheme"],
        "result": ["FetchRequest", "FetchResult"],
        "schedule": ["next_check", "parse_retry_after"],
    },
)
