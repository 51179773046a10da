"""Fuzz target: JSON Feed bodies through ``sources.parse_feed`` (served as application/feed+json).

Run: ``.venv/bin/python fuzz/fuzz_jsonfeed.py fuzz/corpus/jsonfeed -max_total_time=600``.
Dictionary: json.dict
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import atheris
from _harness import guarded

with atheris.instrument_imports():
    from topicwire.errors import TopicwireError
    from topicwire.sources import parse_feed

NOW = datetime(2025, 6, 1, tzinfo=UTC)


@guarded(TopicwireError)
def TestOneInput(data: bytes) -> None:
    feed = parse_feed(
        data, "https://example.com/feed.json", content_type="application/feed+json", now=NOW
    )
    assert feed.kind == "jsonfeed"
    for entry in feed.entries:
        assert entry.guid, "every entry has a guid"
        assert entry.url is None or entry.url.lower().startswith(("http:", "https:"))


if __name__ == "__main__":
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
