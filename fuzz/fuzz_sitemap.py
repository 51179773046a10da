"""Fuzz target: sitemaps and sitemap indexes through ``sources.parse_sitemap``.

Run: ``.venv/bin/python fuzz/fuzz_sitemap.py fuzz/corpus/sitemap -max_total_time=600``.
Dictionary: xml.dict
"""

from __future__ import annotations

import sys

import atheris
from _harness import guarded

with atheris.instrument_imports():
    from topicwire.errors import TopicwireError
    from topicwire.sources import detect_kind, parse_sitemap


@guarded(TopicwireError)
def TestOneInput(data: bytes) -> None:
    detect_kind(data, None, "https://example.com/sitemap.xml")
    sitemap = parse_sitemap(data, "https://example.com/sitemap.xml")
    for url in sitemap.urls:
        assert url.loc.lower().startswith(("http:", "https:")), url.loc


if __name__ == "__main__":
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
