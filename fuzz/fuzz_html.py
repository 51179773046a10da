"""Fuzz target: fetched pages through ``extract.extract_html`` (trafilatura, metadata, dates).

Run: ``.venv/bin/python fuzz/fuzz_html.py fuzz/corpus/html -max_total_time=600``.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import atheris
from _harness import guarded

with atheris.instrument_imports():
    from topicwire.errors import TopicwireError
    from topicwire.extract.html import extract_html

NOW = datetime(2025, 6, 1, tzinfo=UTC)


@guarded(TopicwireError)
def TestOneInput(data: bytes) -> None:
    extract_html(data, "https://example.com/2024/05/some-article", now=NOW)


if __name__ == "__main__":
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
