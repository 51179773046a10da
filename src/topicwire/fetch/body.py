"""Reading a response body safely: a size cap on the wire and a decompression-bomb guard.

The session is opened with ``auto_decompress=False``, so the bytes read here are the bytes the
server sent; gzip and deflate are decompressed here, in steps that never produce more than the
cap allows.
"""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass

from aiohttp import StreamReader

from topicwire.fetch.config import FetchConfig
from topicwire.fetch.errors import FetchError

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
#: The ratio check starts once this much has been decompressed (small pages compress well).
RATIO_FLOOR = 1024 * 1024
#: ``Accept-Encoding`` sent with every request: only what :class:`Decompressor` decodes.
ACCEPT_ENCODING = "gzip, deflate"


@dataclass(frozen=True)
class BodyLimits:
    """The caps one body is read under."""

    max_bytes: int
    max_decompressed_bytes: int
    max_ratio: float

    @classmethod
    def of(cls, config: FetchConfig) -> BodyLimits:
        """The caps of a body fetched under ``config``."""
        return cls(config.max_bytes, config.max_decompressed_bytes, config.max_decompression_ratio)


class Decompressor:
    """Incremental gzip/deflate decoding that refuses to grow past a size or a ratio."""

    def __init__(self, encoding: str, limits: BodyLimits) -> None:
        self._encoding = encoding
        self._limits = limits
        self._inner: zlib._Decompress | None = None
        if encoding in ("gzip", "x-gzip"):
            self._inner = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self.consumed = 0
        self.produced = 0

    def _start_deflate(self, first: bytes) -> zlib._Decompress:
        # "deflate" should be zlib-wrapped (RFC 9110) but some servers send raw deflate.
        wrapped = (
            len(first) >= 2 and (first[0] & 0x0F) == 8 and (first[0] << 8 | first[1]) % 31 == 0
        )
        return zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)

    def feed(self, chunk: bytes) -> bytes:
        """Decompressed bytes of ``chunk``; :class:`FetchError` when a limit is passed."""
        if self._inner is None:
            self._inner = self._start_deflate(chunk)
        self.consumed += len(chunk)
        parts: list[bytes] = []
        data = chunk
        try:
            while data:
                room = self._limits.max_decompressed_bytes - self.produced
                out = self._inner.decompress(data, room + 1)
                self._account(out)
                parts.append(out)
                data = self._inner.unconsumed_tail
                if self._inner.eof:
                    break
        except zlib.error as exc:
            raise FetchError("connection", f"corrupt {self._encoding} body: {exc}") from None
        return b"".join(parts)

    def _account(self, out: bytes) -> None:
        self.produced += len(out)
        limits = self._limits
        if self.produced > limits.max_decompressed_bytes:
            raise FetchError(
                "decompression-bomb",
                f"refused: {self._encoding} body decompresses past "
                f"{limits.max_decompressed_bytes} bytes (the setting fetch.max_bytes)",
            )
        if self.produced > RATIO_FLOOR and self.produced > limits.max_ratio * self.consumed:
            raise FetchError(
                "decompression-bomb",
                f"refused: {self._encoding} body expands more than "
                f"{limits.max_ratio:g} times (a decompression bomb)",
            )

    @property
    def complete(self) -> bool:
        """Whether the stream's end was read (a gzip or zlib stream cut short never gets there)."""
        return self._inner is not None and self._inner.eof

    def finish(self) -> bytes:
        """Whatever the decoder still holds, checked like the rest."""
        if self._inner is None:
            return b""
        tail = self._inner.flush()
        self._account(tail)
        return tail


GZIP_MAGIC = b"\x1f\x8b"


def gunzip_file(body: bytes, limits: BodyLimits) -> bytes:
    """``body`` inflated when it is itself a gzip file (``sitemap.xml.gz``, a feed sent as
    ``application/gzip`` without Content-Encoding), else unchanged.

    The same caps as a compressed transfer apply (size after decompression, ratio), so a gzip
    bomb inside the body is refused as early as one on the wire; :class:`FetchError` past a cap,
    or when the stream is corrupt or cut short.
    """
    if not body.startswith(GZIP_MAGIC):
        return body
    decoder = Decompressor("gzip", limits)
    out = decoder.feed(body) + decoder.finish()
    if not decoder.complete:
        raise FetchError("connection", "corrupt gzip body: the stream is cut short")
    return out


def too_large(limit: int, what: str) -> FetchError:
    """The error for a body over ``limit`` bytes."""
    return FetchError(
        "too-large", f"refused: {what} is larger than {limit} bytes (fetch.max_bytes)"
    )


async def read_body(
    content: StreamReader,
    content_encoding: str | None,
    content_length: int | None,
    limits: BodyLimits,
) -> bytes:
    """The whole body, decompressed; :class:`FetchError` on any limit or unknown encoding."""
    if content_length is not None and content_length > limits.max_bytes:
        raise too_large(limits.max_bytes, f"body of Content-Length {content_length}")
    encoding = (content_encoding or "identity").strip().lower()
    decoder: Decompressor | None = None
    if encoding in ("gzip", "x-gzip", "deflate"):
        decoder = Decompressor(encoding, limits)
    elif encoding != "identity":
        raise FetchError("unsupported-encoding", f"unsupported Content-Encoding {encoding!r}")
    if decoder is None and content_length is not None:
        # The HTTP parser stops at Content-Length, which is within the cap: one read is safe.
        return await content.read()
    parts: list[bytes] = []
    received = 0
    async for chunk in content.iter_chunked(CHUNK):
        received += len(chunk)
        if received > limits.max_bytes:
            raise too_large(limits.max_bytes, "body")
        parts.append(decoder.feed(chunk) if decoder else chunk)
    if decoder is not None:
        parts.append(decoder.finish())
        log.debug("decompressed %d bytes into %d", decoder.consumed, decoder.produced)
    return b"".join(parts)
