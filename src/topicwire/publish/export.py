"""Export the store's articles as seed-format records or as JSON Lines."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from topicwire.jsonl import write_jsonl
from topicwire.model import Article
from topicwire.publish.formats import ExportFormat
from topicwire.record import write_record
from topicwire.text import slugify

log = logging.getLogger(__name__)

UNDATED = "1970-01-01"


@dataclass
class ExportReport:
    """What an export wrote."""

    count: int = 0
    files: list[Path] = field(default_factory=list)


def record_filename(article: Article, taken: set[str] | None = None) -> str:
    """``YYYY-MM-DD-slug.md`` as on the reference site; ``-2``, ``-3``... if the name is taken."""
    return record_name(article.title, article.published_at, taken)


def record_name(title: str, published_at: datetime | None, taken: set[str] | None = None) -> str:
    """:func:`record_filename` of an article with this title and publication time."""
    if published_at is None:
        day = UNDATED
    elif published_at.year >= 1000:  # (a publish names every article: isoformat is quicker)
        day = published_at.date().isoformat()
    else:
        day = published_at.strftime("%Y-%m-%d")
    stem = f"{day}-{slugify(title) or 'untitled'}"
    name = f"{stem}.md"
    number = 1
    while taken is not None and name in taken:
        number += 1
        name = f"{stem}-{number}.md"
    if taken is not None:
        taken.add(name)
    return name


def export_articles(
    articles: Iterable[Article],
    out: Path,
    fmt: ExportFormat,
    *,
    on_item: Callable[[], None] | None = None,
) -> ExportReport:
    """Write ``articles`` under ``out``: ``_news/*.md`` records, or ``articles.jsonl``."""
    report = ExportReport()
    out.mkdir(parents=True, exist_ok=True)
    if fmt is ExportFormat.JSONL:
        target = out / "articles.jsonl"
        tmp = target.with_name(f".{target.name}.tmp")
        with tmp.open("w", encoding="utf-8", newline="\n") as handle:

            def counted() -> Iterable[Article]:
                for article in articles:
                    yield article
                    if on_item:
                        on_item()

            report.count = write_jsonl(counted(), handle)
        tmp.replace(target)
        report.files.append(target)
        return report
    taken: set[str] = set()
    for article in articles:
        if article.published_at is None:
            log.warning("%r has no publishedDateTime; its file is dated %s", article.title, UNDATED)
        path = out / "_news" / record_filename(article, taken)
        write_record(article, path)
        report.files.append(path)
        report.count += 1
        if on_item:
            on_item()
    return report
