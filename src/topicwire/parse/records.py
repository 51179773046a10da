"""Collect record inputs (files, folders, JSON Lines) and parse them, one result per record.

Every input yields either an Article or the RecordError that says why it could not be read, so a
caller can import the good ones and report the bad ones.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from topicwire.errors import RecordError, bug_details
from topicwire.jsonl import iter_lines, parse_json_line
from topicwire.limits import MAX_RECORD_BYTES, sane_date, web_url_problem
from topicwire.model import Article
from topicwire.record import read_record

log = logging.getLogger(__name__)

RECORD_SUFFIXES = frozenset({".md", ".markdown"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})


@dataclass(frozen=True)
class Parsed:
    """One record's outcome: ``origin`` is ``path`` or ``path:line`` for a JSON line."""

    source: Path
    origin: str
    article: Article | None = None
    error: RecordError | None = None
    #: the traceback's text when ``error`` came from a bug (an unexpected exception)
    bug: str | None = None


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
    """Parse every record found under ``paths``; never raises for a bad input.

    Each file is read inside an error boundary: an unexpected exception (a bug, never the
    input's fault) is logged with its traceback and becomes that file's failure, and the files
    after it are read. A record that parses but cannot be imported (see :func:`import_problem`)
    is a failure too.
    """
    for item in expand_paths(paths):
        if isinstance(item, RecordError):
            yield Parsed(source=Path(item.path or "?"), origin=item.path or "?", error=item)
            continue
        try:
            yield from _parse_file(item)
        except Exception as exc:  # a bug: this file fails, the others go on
            yield _bug(item, str(item), exc)


def _bug(item: Path, origin: str, exc: Exception) -> Parsed:
    """The failure of ``origin`` for an unexpected exception, its traceback logged and kept."""
    log.debug("reading %s failed", origin, exc_info=True)
    reason, trace = bug_details(exc)
    error = RecordError(reason, path=item)
    return Parsed(source=item, origin=origin, error=error, bug=trace)


def _parse_file(item: Path) -> Iterator[Parsed]:
    if item.suffix.lower() in JSONL_SUFFIXES:
        for number, line in iter_lines(item):
            origin = f"{item}:{number}" if number else str(item)
            if isinstance(line, RecordError):
                yield Parsed(source=item, origin=origin, error=line)
                continue
            try:
                parsed = _checked(item, origin, parse_json_line(line, path=item, line=number))
            except Exception as exc:  # a bug: this line fails, the lines after it go on
                parsed = _bug(item, origin, exc)
            yield parsed
        return
    try:
        size = item.stat().st_size
        if size > MAX_RECORD_BYTES:
            raise RecordError(
                f"refused: the file is {size:,} bytes (records over {MAX_RECORD_BYTES:,} are "
                "not read)",
                path=item,
            )
        article = read_record(item)
    except (RecordError, OSError) as exc:
        if isinstance(exc, OSError):
            exc = RecordError(f"cannot read the file: {exc.strerror or exc}", path=item)
        origin = f"{item}:{exc.line}" if exc.line else str(item)
        yield Parsed(source=item, origin=origin, error=exc)
        return
    yield _checked(item, str(item), article)


def _checked(source: Path, origin: str, result: Article | RecordError) -> Parsed:
    if isinstance(result, RecordError):
        return Parsed(source=source, origin=origin, error=result)
    problem = import_problem(result)
    if problem is not None:
        return Parsed(source=source, origin=origin, error=RecordError(problem, path=source))
    return Parsed(source=source, origin=origin, article=result)


_URL_KEYS = (
    ("webUrl", "web_url"),
    ("originalUrl", "original_url"),
    ("ampWebUrl", "amp_web_url"),
    ("cdnAmpWebUrl", "cdn_amp_web_url"),
)
_DATE_KEYS = (("publishedDateTime", "published_at"), ("updatedDateTime", "updated_at"))


def import_problem(article: Article, now: datetime | None = None) -> str | None:
    """Why a record that parsed cannot be imported, or ``None``.

    It needs an address (``webUrl`` or ``originalUrl``); every URL it gives must be http(s)
    (``javascript:alert(1)`` would become a link on the site); its dates must lie between 1990
    and ``now`` + 2 days (``0001-01-01`` is a placeholder, not a date to compute with).
    """
    if article.url is None:
        return "the record has neither webUrl nor originalUrl"
    for key, name in _URL_KEYS:
        value = getattr(article, name)
        problem = None if value is None else web_url_problem(value)
        if problem is not None:
            return f"'{key}': {problem}"
    for key, name in _DATE_KEYS:
        value = getattr(article, name)
        if value is not None and sane_date(value, now) is None:
            shown = value.date().isoformat()
            return f"'{key}': {shown} is outside the plausible range (1990 to 2 days from now)"
    return None
