"""Guards applied to untrusted XML bytes before any XML parser sees them.

Two dangers are refused outright: entity declarations in a DOCTYPE (the "billion laughs" blow-up
and XML external entities, XXE) and compressed bodies that inflate past a size cap (gzip bombs).
A DOCTYPE that only names an external DTD (RSS 0.91's Netscape DTD) is allowed: no parser used by
this package ever loads it.
"""

from __future__ import annotations

import gzip
import re
import zlib

from topicwire.errors import ParseError

#: Largest document (after decompression) that any reader in this package accepts.
MAX_DOCUMENT_BYTES = 50 * 1024 * 1024

GZIP_MAGIC = b"\x1f\x8b"

_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_CDATA = re.compile(rb"<!\[CDATA\[.*?\]\]>", re.DOTALL)
_ENTITY_DECL = re.compile(rb"<!ENTITY\b", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!DOCTYPE\b", re.IGNORECASE)

ENTITY_REFUSAL = (
    "refused: the feed declares XML entities in its DOCTYPE "
    "(entity expansion or external entities are never processed)"
)


def scan_for_entities(body: bytes, *, path: str | None = None, what: str = "feed") -> None:
    """Raise ``ParseError`` when ``body`` declares XML entities (billion laughs, XXE).

    The scan ignores NUL bytes, so UTF-16 and UTF-32 documents are checked as well, and it skips
    comments and CDATA sections, so an article *about* ``<!ENTITY`` is not refused.
    """
    if not _DOCTYPE.search(body.replace(b"\x00", b"")):
        return
    text = body.replace(b"\x00", b"")
    text = _CDATA.sub(b"", _COMMENT.sub(b"", text))
    if _ENTITY_DECL.search(text):
        problem = ENTITY_REFUSAL.replace("the feed", f"the {what}")
        raise ParseError(problem, path=path)


def gunzip_capped(
    body: bytes, *, limit: int = MAX_DOCUMENT_BYTES, path: str | None = None
) -> bytes:
    """Return ``body`` inflated if it starts with the gzip magic bytes, else unchanged.

    Inflation stops at ``limit`` bytes: a larger document is refused with ``ParseError``, as is a
    corrupt gzip stream.
    """
    if not body.startswith(GZIP_MAGIC):
        return body
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, limit + 1)
    except (zlib.error, gzip.BadGzipFile, EOFError) as exc:
        raise ParseError(f"corrupt gzip data: {exc}", path=path) from exc
    if len(out) <= limit and not inflater.eof:
        raise ParseError("corrupt gzip data: the stream is truncated", path=path)
    if len(out) > limit:
        raise ParseError(
            f"refused: the gzip data inflates past the {limit // (1024 * 1024)} MB cap", path=path
        )
    return out


def check_size(body: bytes, *, limit: int = MAX_DOCUMENT_BYTES, path: str | None = None) -> None:
    """Raise ``ParseError`` when ``body`` is larger than ``limit`` bytes."""
    if len(body) > limit:
        raise ParseError(
            f"refused: the document is {len(body)} bytes, over the {limit} byte cap", path=path
        )
