"""Articles as JSON Lines: one record mapping per line, plus its ``body``.

Keys are the record's camelCase keys; dates are ISO 8601 strings in UTC (``...Z``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from topicwire.errors import RecordError
from topicwire.limits import MAX_RECORD_BYTES, json_depth_problem, value_problem
from topicwire.model import Article
from topicwire.record import SHORT_KEYS
from topicwire.yamlout import format_datetime


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def article_to_json(article: Article) -> dict[str, Any]:
    """The article as a JSON-ready mapping: record keys in canonical order, then ``body``.

    The fields that are never published (``text``, ``repairs``, ``meta``) follow when they hold
    something, so an export is a complete copy of what the store holds.
    """
    data: dict[str, Any] = _plain(article.to_data())
    data["body"] = article.body
    if article.text is not None:
        data["text"] = article.text
    if article.repairs:
        data["repairs"] = dict(article.repairs)
    if article.meta:
        data["meta"] = dict(article.meta)
    return data


def dumps_article(article: Article) -> str:
    """One JSON line (no trailing newline), UTF-8 characters kept as they are."""
    return json.dumps(article_to_json(article), ensure_ascii=False, separators=(",", ":"))


def iter_jsonl(path: str | Path) -> Iterator[tuple[int, Article | RecordError]]:
    """Each line of ``path`` (1-based number, then the Article or the RecordError naming it).

    Blank lines are skipped. A bad line does not stop the lines after it.
    """
    for number, line in iter_lines(path):
        if isinstance(line, RecordError):
            yield number, line
        else:
            yield number, parse_json_line(line, path=path, line=number)


def iter_lines(path: str | Path) -> Iterator[tuple[int, str | RecordError]]:
    """Each non-blank line of ``path`` (1-based number, then its text), or the RecordError that
    says why it cannot be read (a line over ``MAX_RECORD_BYTES`` characters is skipped)."""
    path = Path(path)
    try:
        handle: TextIO = path.open(encoding="utf-8")
    except OSError as exc:
        yield 0, RecordError(f"cannot read the file: {exc.strerror or exc}", path=path)
        return
    with handle:
        number = 0
        while True:
            number += 1
            try:
                line = handle.readline(MAX_RECORD_BYTES)
                if len(line) == MAX_RECORD_BYTES and not line.endswith("\n"):
                    while (rest := handle.readline(MAX_RECORD_BYTES)) and not rest.endswith("\n"):
                        pass  # the rest of a line too long to read is skipped
                    problem = f"refused: the line is longer than {MAX_RECORD_BYTES:,} characters"
                    yield number, RecordError(problem, path=path, line=number)
                    continue
            except UnicodeDecodeError as exc:
                yield number, RecordError(f"not UTF-8 text ({exc.reason})", path=path, line=number)
                return
            if not line:
                return
            if line.strip():
                yield number, line


def parse_json_line(
    text: str, *, path: str | Path | None = None, line: int | None = None
) -> Article | RecordError:
    """Parse one JSON line into an Article, returning (not raising) the error for a bad line.

    A line nested too deep is refused before it is parsed, and one that holds too many values or
    too long a string after (see :mod:`topicwire.limits`).
    """
    too_deep = json_depth_problem(text)
    if too_deep:
        return RecordError(f"refused: the line is {too_deep}", path=path, line=line)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return RecordError(f"invalid JSON: {exc.msg} (column {exc.colno})", path=path, line=line)
    if not isinstance(data, dict):
        return RecordError("a line must hold a JSON object", path=path, line=line)
    too_big = value_problem(data, line_keys=SHORT_KEYS)
    if too_big:
        return RecordError(f"refused: {too_big}", path=path, line=line)
    try:
        return Article.from_data(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"] if p != "extra") or "object"
        return RecordError(f"'{field}': {first['msg'].lower()}", path=path, line=line)


def write_jsonl(articles: Iterable[Article], handle: TextIO) -> int:
    """Write one line per article to an open text file; returns how many were written."""
    count = 0
    for article in articles:
        handle.write(dumps_article(article) + "\n")
        count += 1
    return count
