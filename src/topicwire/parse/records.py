"""Collect record inputs (files, folders, JSON Lines) and parse them, one result per record.

Every input yields either an Article or the RecordError that says why it could not be read, so a
caller can import the good ones and report the bad ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from topicwire.errors import RecordError
from topicwire.jsonl import iter_jsonl
from topicwire.model import Article
from topicwire.record import read_record

RECORD_SUFFIXES = frozenset({".md", ".markdown"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})


@dataclass(frozen=True)
class Parsed:
    """One record's outcome: ``origin`` is ``path`` or ``path:line`` for a JSON line."""

    source: Path
    origin: str
    article: Article | None = None
    error: RecordError | None = None


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path | RecordError]:
    """Files as given; folders as their record and JSON Lines files, recursively, sorted.

    Hidden files and folders (``.git``, editor droppings) are skipped inside folders.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in RECORD_SUFFIXES | JSONL_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            yield from found
        elif path.is_file():
            yield path
        else:
            yield RecordError("no such file or folder", path=path)


def parse_inputs(paths: Iterable[str | Path]) -> Iterator[Parsed]:
    """Parse every record found under ``paths``; never raises for a bad input."""
    for item in expand_paths(paths):
        if isinstance(item, RecordError):
            yield Parsed(source=Path(item.path or "?"), origin=item.path or "?", error=item)
        elif item.suffix.lower() in JSONL_SUFFIXES:
            for number, result in iter_jsonl(item):
                origin = f"{item}:{number}" if number else str(item)
                if isinstance(result, RecordError):
                    yield Parsed(source=item, origin=origin, error=result)
                else:
                    yield Parsed(source=item, origin=origin, article=result)
        else:
            try:
                yield Parsed(source=item, origin=str(item), article=read_record(item))
            except RecordError as exc:
                origin = f"{item}:{exc.line}" if exc.line else str(item)
                yield Parsed(source=item, origin=origin, error=exc)
