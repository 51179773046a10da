"""The small orchestrators: record import, and extraction of a single input.

``import_records``: record files -> parse -> store. ``extract_input``: a file, URL or stdin ->
fetch (for a URL) -> extract + repair. The fetch flow over all sources is ``refresh.refresh``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from topicwire.enrich.stage import Enricher
from topicwire.errors import StoreError, bug_details
from topicwire.extract import Extracted, ExtractError, extract_html, extract_text
from topicwire.fetch import FetchConfig, FetchRequest, fetch_all
from topicwire.model import Article, Provider
from topicwire.parse.records import Parsed, parse_inputs
from topicwire.sources import read_local
from topicwire.store import Store, UpsertResult

log = logging.getLogger(__name__)


@dataclass
class ImportReport:
    """What an import did: counts, and each input that failed with its reason."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    files: set[Path] = field(default_factory=set)
    #: unexpected exceptions (bugs, not bad input): what failed, and the traceback's text
    bugs: list[tuple[str, str]] = field(default_factory=list)

    @property
    def stored(self) -> int:
        return self.inserted + self.updated + self.unchanged


def import_records(
    store: Store,
    paths: Iterable[str | Path],
    *,
    batch_size: int = 200,
    on_item: Callable[[Parsed], None] | None = None,
) -> ImportReport:
    """Store every record found under ``paths``; bad inputs are reported, never fatal.

    Records are written in batches, each one transaction. If a batch is refused (or raises
    anything else), its records are retried one by one so that only the offending record fails;
    an unexpected exception is a failure whose traceback is kept in ``ImportReport.bugs``.
    """
    report = ImportReport()
    batch: list[tuple[str, Article]] = []

    def flush() -> None:
        if not batch:
            return
        try:
            _count(report, store.upsert_articles([article for _, article in batch]))
        except Exception:
            for origin, article in batch:
                try:
                    _count(report, store.upsert_articles([article]))
                except StoreError as exc:
                    report.failures.append((origin, str(exc)))
                except Exception as exc:  # a bug: this record fails, the others go on
                    log.debug("storing %s failed", origin, exc_info=True)
                    reason, trace = bug_details(exc)
                    report.failures.append((origin, reason))
                    report.bugs.append((origin, trace))
        batch.clear()

    for parsed in parse_inputs(paths):
        report.files.add(parsed.source)
        if parsed.bug is not None:
            report.bugs.append((parsed.origin, parsed.bug))
        if parsed.error is not None:
            report.failures.append((parsed.origin, parsed.error.problem))
        elif parsed.article is not None:
            batch.append((parsed.origin, parsed.article))
            if len(batch) >= batch_size:
                flush()
        if on_item:
            on_item(parsed)
    flush()
    for origin, reason in report.failures:
        log.info("not imported: %s: %s", origin, reason)
    return report


def _count(report: ImportReport, result: UpsertResult) -> None:
    report.inserted += result.inserted
    report.updated += result.updated
    report.unchanged += result.unchanged


def extract_input(
    source: str,
    *,
    url: str | None = None,
    providers: Iterable[Provider] = (),
    fetch_config: FetchConfig | None = None,
    stdin: TextIO | None = None,
) -> Extracted:
    """Extract one input: a local HTML/text/markdown file, an http(s) URL, or ``-`` for stdin.

    ``url`` is the address to credit a local input with (its ``originalUrl``); a URL input is
    fetched through the guarded fetcher. Raises a :class:`TopicwireError` subclass on failure.
    """
    registry = {p.domain: p for p in providers if p.domain}
    if source.startswith(("http://", "https://")):
        (result,) = fetch_all([FetchRequest(source)], fetch_config or FetchConfig())
        if result.error is not None:
            raise ExtractError(f"{source}: {result.error}")
        return extract_html(result.text or "", result.final_url, providers=registry)
    if source == "-":
        content = (stdin or sys.stdin).read()
        if _looks_like_html(content):
            return extract_html(content, url or "stdin:", providers=registry)
        return extract_text(content, url=url)
    document = read_local(Path(source))
    if document.kind == "html":
        base = url or Path(source).resolve().as_uri()
        return extract_html(document.content, base, providers=registry)
    return extract_text(
        document.content,
        url=url,
        title=document.title,
        markdown=document.kind == "markdown",
        front_matter=document.front_matter,
    )


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return head.startswith(("<!doctype html", "<html")) or "<body" in head or "<p>" in head


@dataclass
class EnrichReport:
    """What re-running the enrich stage over the store changed."""

    changed: int = 0
    unchanged: int = 0


def enrich_stored(
    store: Store,
    enricher: Enricher,
    *,
    batch_size: int = 100,
    on_batch: Callable[[int], None] | None = None,
) -> EnrichReport:
    """Run ``enricher`` over every stored article again (after a taxonomy change, say).

    Stored embeddings are reused; each batch is written in one transaction.
    """
    report = EnrichReport()
    batch: list[Article] = []

    def flush() -> None:
        if batch:
            result = store.upsert_articles(enricher.enrich(batch))
            report.changed += result.updated + result.inserted
            report.unchanged += result.unchanged
            if on_batch:
                on_batch(len(batch))
            batch.clear()

    for stored in store.iter_articles():
        batch.append(stored.article)
        if len(batch) >= batch_size:
            flush()
    flush()
    return report
