"""A single article URL as a source (``Source.kind == "article"``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from topicwire.errors import ParseError
from topicwire.model import Source

__all__ = ["article_source"]


def article_source(url: str, *, title: str | None = None) -> Source:
    """A ``Source`` for one article page; ``ParseError`` unless ``url`` is absolute http(s)."""
    cleaned = url.strip()
    parts = urlsplit(cleaned)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ParseError(f"not an http(s) article URL: {url!r}")
    return Source(url=cleaned, kind="article", title=title)
