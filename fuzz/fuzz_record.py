"""Fuzz target: markdown records and local front matter (``record.parse_record``,
``sources.local.split_front_matter``); a record that reads is written and read back unchanged.

Run: ``.venv/bin/python fuzz/fuzz_record.py fuzz/corpus/record -max_total_time=600``.
Dictionary: yaml.dict
"""

from __future__ import annotations

import contextlib
import sys

import atheris
from _harness import guarded, text_of

with atheris.instrument_imports():
    from topicwire.errors import TopicwireError
    from topicwire.record import dump_record, parse_record
    from topicwire.sources.local import split_front_matter


@guarded(TopicwireError)
def TestOneInput(data: bytes) -> None:
    text = text_of(data)
    with contextlib.suppress(TopicwireError):
        split_front_matter(text, path="fuzz.md")
    article = parse_record(text, path="fuzz.md")
    written = dump_record(article)
    # compared as text: a NaN in the front matter is never equal to itself
    assert dump_record(parse_record(written)) == written, "a written record reads back the same"


if __name__ == "__main__":
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
