"""Fuzz target: OPML subscription lists through ``sources.read_opml``.

Run: ``.venv/bin/python fuzz/fuzz_opml.py fuzz/corpus/opml -max_total_time=600``.
Dictionary: xml.dict
"""

from __future__ import annotations

import sys

import atheris
from _harness import guarded

with atheris.instrument_imports():
    from topicwire.errors import TopicwireError
    from topicwire.sources import read_opml, write_opml


@guarded(TopicwireError)
def TestOneInput(data: bytes) -> None:
    result = read_opml(data, path="fuzz.opml")
    for source in result.sources:
        assert source.url.split(":", 1)[0].lower() in ("http", "https"), source.url
    # what was read can be written and read again to the same feeds
    written = write_opml(result.sources, title="fuzz", categories=result.categories)
    again = read_opml(written.encode("utf-8"))
    assert not again.recovered, again.problems


if __name__ == "__main__":
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
