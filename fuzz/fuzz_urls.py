"""Fuzz target: URL canonicalisation (``urls.canonical_key``) and the http(s) check.

``canonical_key`` may refuse garbage with ``ValueError`` only, and its result is a fixed point.
Run: ``.venv/bin/python fuzz/fuzz_urls.py fuzz/corpus/urls -max_total_time=600``.
"""

from __future__ import annotations

import sys
from urllib.parse import urljoin, urlsplit

import atheris
from _harness import guarded, text_of

with atheris.instrument_imports():
    from topicwire.errors import TopicwireError
    from topicwire.limits import web_url_problem
    from topicwire.sources.feedtypes import absolute_url
    from topicwire.urls import canonical_key

atheris.instrument_func(getattr(urlsplit, "__wrapped__", urlsplit))
atheris.instrument_func(urljoin)


@guarded(TopicwireError)
def TestOneInput(data: bytes) -> None:
    url = text_of(data)
    web_url_problem(url)
    absolute_url(url, "https://example.com/a/b")  # a feed's links: never raises
    try:
        key = canonical_key(url)
    except ValueError:
        return
    assert canonical_key(key) == key, (
        f"not idempotent: {url!r} -> {key!r} -> {canonical_key(key)!r}"
    )


if __name__ == "__main__":
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()
