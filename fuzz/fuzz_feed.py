"""Fuzz target: RSS 0.9x/1.0/2.0, Atom and RDF bodies through ``sources.parse_feed``.

Run: ``.venv/bin/python fuzz/fuzz_feed.py fuzz/corpus/feed -max_total_time=600`` (see README).
Dictionary: xml.dict
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
_TYPES = (None, "application/rss+xml", "text/xml; charset=iso-8859-1", "application/atom+xml")


@guarded(TopicwireError)
def TestOneInput(data: bytes) -> None:
    """The first byte picks a Content-Type header; the rest is the body."""
    if not data:
        return
    content_type = _TYPES[data[0] % len(_TYPES)]
    feed = parse_feed(data[1:], "https://example.com/feed.xml", content_type=content_type, now=NOW)
    for entry in feed.entries:
        assert entry.guid, "every entry has a guid"
        assert entry.published_at is None or entry.published_at <= NOW.replace(minute=15)


if __name__ == "__main__":
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
