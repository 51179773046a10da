"""The orchestrators: each reads top to bottom through the stages it needs.

Today there is one flow, ``import_records``: record files -> parse -> store. The fetch flow
(sources -> fetch -> extract -> enrich -> score -> cluster -> store -> publish) joins it here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from topicwire.errors import StoreError
from topicwire.model import Article
from topicwire.parse.records import Parsed, parse_inputs
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

    Records are written in batches, each one transaction. If a batch is refused, its records are
    retried one by one so that only the offending record fails.
    """
    report = ImportReport()
    batch: list[tuple[str, Article]] = []

    def flush() -> None:
        if not batch:
            return
        try:
            _count(report, store.upsert_articles([article for _, article in batch]))
        except StoreError:
            for origin, article in batch:
                try:
                    _count(report, store.upsert_articles([article]))
                except StoreError as exc:
                    report.failures.append((origin, str(exc)))
        batch.clear()

    for parsed in parse_inputs(paths):
        report.files.add(parsed.source)
        if parsed.error is not None:
            report.failures.append((parsed.origin, parsed.error.problem))
        elif parsed.article is not None and parsed.article.url is None:
            report.failures.append((parsed.origin, "the record has neither webUrl nor originalUrl"))
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
