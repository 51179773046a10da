"""What a fetch run still owes the store: fetch logs, and source state waiting on its articles.

A source's new state (its ETag and Last-Modified, its next check, its status and error count) is
the promise that everything its last body listed has been dealt with. The fetch flow therefore
*holds* that state until every page the source led to has been fetched and stored or has failed,
and writes it in the same transaction as the last of those articles. A run killed before then
leaves the source as it was: the next run reads it again, skips the articles already stored and
fetches the rest, so nothing is lost and nothing is stored twice.

When a page failed for a reason that may pass (a timeout, a refused connection, HTTP 5xx or 429),
the source's validators are cleared rather than advanced, so the next run reads the whole body
again instead of getting ``304 Not Modified`` and never retrying that page.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from topicwire.fetch import FetchResult
from topicwire.store import FetchRecord


def may_pass(result: FetchResult) -> bool:
    """True when ``result`` failed for a reason that another try may not meet."""
    if result.error is None:
        return False
    if result.error_kind in ("timeout", "connection"):
        return True
    status = result.status or 0
    return result.error_kind == "http-status" and (status >= 500 or status == 429)


@dataclass
class _Held:
    record: FetchRecord
    outstanding: int = 0
    retry: bool = False  # a page it led to failed for a reason that may pass


class Ledger:
    """Fetch records to write with the next batch of articles, and the source states held."""

    def __init__(self) -> None:
        self._held: dict[str, _Held] = {}
        self._ready: list[FetchRecord] = []

    def log(self, record: FetchRecord) -> None:
        """A record owing nothing: written with the next batch."""
        self._ready.append(record)

    def hold(self, record: FetchRecord) -> None:
        """A source's new state, held until the pages it led to are dealt with."""
        self._held[record.source_url] = _Held(record)

    def expect(self, source_url: str, pages: int) -> None:
        """``source_url`` led to ``pages`` more pages that must be dealt with first."""
        if source_url in self._held:
            self._held[source_url].outstanding += pages

    def retry_later(self, source_url: str) -> None:
        """Something ``source_url`` led to failed for a reason that may pass."""
        if source_url in self._held:
            self._held[source_url].retry = True

    def settle_idle(self) -> None:
        """Release every held state that waits on no page (nothing new in its body)."""
        for url in [u for u, held in self._held.items() if held.outstanding <= 0]:
            self._release(url)

    def done(self, source_url: str, *, retry: bool = False) -> None:
        """One page of ``source_url`` was dealt with (its article is in the batch, or failed)."""
        held = self._held.get(source_url)
        if held is None:
            return
        held.retry = held.retry or retry
        held.outstanding -= 1
        if held.outstanding <= 0:
            self._release(source_url)

    def take(self) -> list[FetchRecord]:
        """The records to write now (with the batch that holds the articles they led to)."""
        ready, self._ready = self._ready, []
        return ready

    @property
    def waiting(self) -> int:
        """Source states still held."""
        return len(self._held)

    def _release(self, source_url: str) -> None:
        held = self._held.pop(source_url)
        record = held.record
        if held.retry and record.error is None:
            record = replace(record, etag="", last_modified="")  # "" clears them
        self._ready.append(record)
