"""Cluster a batch of plain items (JSON Lines) into stories: the research entry point.

Each item needs ``id``, ``title`` and ``text``; ``url``, ``publishedDateTime`` and ``provider``
are optional. Items are embedded once (title, then the lead of the text) and fed to the online
clusterer in publication order (undated items keep their place after the dated ones, in input
order); the answer keeps the input order.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from topicwire.cluster.stories import ClusterConfig, StoryClusterer, StoryItem
from topicwire.enrich.embed import LEAD_CHARS, Embedder, default_embedder
from topicwire.errors import ParseError


@dataclass(frozen=True)
class BatchItem:
    """One input item, as read."""

    id: str
    title: str
    text: str
    url: str | None = None
    published_at: datetime | None = None
    provider: str | None = None


def read_items(path: Path) -> list[BatchItem]:
    """The items of a JSON Lines file; a bad line is a ParseError naming the file and line."""
    items: list[BatchItem] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                items.append(_item(line, path, number))
    return items


def _item(line: str, path: Path, number: int) -> BatchItem:
    try:
        data: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid JSON: {exc.msg}", path=path, line=number) from None
    if not isinstance(data, dict):
        raise ParseError("a line must hold a JSON object", path=path, line=number)
    missing = [key for key in ("id", "title", "text") if data.get(key) in (None, "")]
    if missing:
        raise ParseError(f"missing {', '.join(missing)}", path=path, line=number)
    when = data.get("publishedDateTime")
    try:
        published = _date(when) if when else None
    except ValueError:
        raise ParseError(
            f"publishedDateTime {when!r} is not a date", path=path, line=number
        ) from None
    return BatchItem(
        id=str(data["id"]),
        title=str(data["title"]),
        text=str(data["text"]),
        url=data.get("url"),
        published_at=published,
        provider=data.get("provider"),
    )


def _date(value: str) -> datetime:
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def cluster_items(
    items: Sequence[BatchItem],
    *,
    config: ClusterConfig | None = None,
    embedder: Embedder | None = None,
) -> list[tuple[str, int]]:
    """``(id, story)`` for every item, in input order."""
    if len({item.id for item in items}) != len(items):
        raise ParseError("item ids must be unique")
    model = embedder or default_embedder()
    vectors = model.encode([f"{item.title}. {item.text[:LEAD_CHARS]}" for item in items])
    order = sorted(
        range(len(items)),
        key=lambda i: (items[i].published_at is None, items[i].published_at or _EPOCH, i),
    )
    clusterer = StoryClusterer(config or ClusterConfig())
    for index in order:
        item = items[index]
        clusterer.add(
            StoryItem(
                key=item.id,
                title=item.title,
                text=item.text,
                embedding=vectors[index],
                published_at=item.published_at,
                provider=item.provider,
            )
        )
    return [(item.id, clusterer.story_of(item.id)) for item in items]


def dumps_assignments(pairs: Iterable[tuple[str, int]]) -> str:
    """One ``{"id": ..., "story": ...}`` JSON line per item."""
    return "".join(json.dumps({"id": key, "story": story}) + "\n" for key, story in pairs)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
