"""Turning a body into text: which character encoding, and decoding with it.

The order is: byte order mark, the charset of the HTTP ``Content-Type``, the XML declaration,
the HTML ``<meta charset>`` / ``http-equiv`` tag (first 4 KB), then detection
(strict UTF-8 first, then charset-normalizer), then UTF-8 with replacement characters. A
declared charset that Python does not know, or that does not decode the body, is skipped
(headers do lie).
"""

from __future__ import annotations

import codecs
import functools
import logging
import re
from collections.abc import Iterator

from charset_normalizer import CharsetMatch, from_bytes

log = logging.getLogger(__name__)

SNIFF_BYTES = 4096
#: Detection candidates this close to the best (chaos and coherence, 0..1) count as a tie.
CLOSE = 0.05
#: Tie-break among detected code pages: roughly how common each is on the web.
WEB_ORDER = (
    "cp1252",
    "cp1251",
    "cp1250",
    "iso8859-2",
    "iso8859-15",
    "koi8-r",
    "cp1256",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp1257",
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([^\s"';,]+)""", re.IGNORECASE)
_XML_DECL = re.compile(
    rb"""^\s*<\?xml\s[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""", re.IGNORECASE
)
_META = re.compile(rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
# WHATWG: these labels mean windows-1252 on the web; a declared UTF-16/32 in an ASCII-readable
# declaration cannot be true, so it means UTF-8.
_ALIASES = {
    "ascii": "cp1252",
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "utf-16": "utf-8",
    "utf-16-le": "utf-8",
    "utf-16-be": "utf-8",
    "utf-32": "utf-8",
    "utf-32-le": "utf-8",
    "utf-32-be": "utf-8",
}


def header_charset(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a ``Content-Type`` value, if any."""
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return match.group(1) if match else None


@functools.lru_cache(maxsize=256)
def normalize(label: str | bytes | None, *, in_document: bool = False) -> str | None:
    """The Python codec name for ``label``, or ``None`` when Python does not know it.

    ``in_document`` marks a label read from ASCII-compatible bytes (XML declaration, meta tag),
    where UTF-16/32 cannot be true.
    """
    if label is None:
        return None
    text = label.decode("ascii", "replace") if isinstance(label, bytes) else label
    try:
        name = codecs.lookup(text.strip()).name
    except LookupError:
        log.debug("unknown charset %r skipped", text)
        return None
    if name.startswith(("utf-16", "utf-32")) and not in_document:
        return name
    return _ALIASES.get(name, name)


def _try(body: bytes, encoding: str | None) -> str | None:
    if encoding is None:
        return None
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        log.debug("declared charset %s does not decode the body; skipped", encoding)
        return None


def sniff_bom(body: bytes) -> str | None:
    """The encoding a byte order mark at the start of ``body`` announces, if any."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    return None


def _declared(body: bytes, content_type: str | None) -> Iterator[str]:
    """The known charsets declared for ``body``: header, XML declaration, meta tag, in order."""
    header = normalize(header_charset(content_type))
    if header is not None:
        yield header
    head = body[:SNIFF_BYTES]
    for pattern in (_XML_DECL, _META):
        match = pattern.search(head)
        name = normalize(match.group(1), in_document=True) if match else None
        if name is not None:
            yield name


def decode(body: bytes, content_type: str | None) -> tuple[str, str]:
    """``body`` as text, and the codec used (``"utf-8"``, ``"cp1252"``...)."""
    bom = sniff_bom(body)
    if bom is not None:
        return body.decode(bom, errors="replace"), bom
    for encoding in _declared(body, content_type):
        text = _try(body, encoding)
        if text is not None:
            return text, encoding
    if not body:
        return "", "utf-8"
    text = _try(body, "utf-8")
    if text is not None:
        return text, "utf-8"
    detected = detect(body)
    if detected is not None:
        return detected
    return body.decode("utf-8", errors="replace"), "utf-8"


def detect(body: bytes) -> tuple[str, str] | None:
    """Text and codec guessed by charset-normalizer, or ``None`` when it has no guess.

    charset-normalizer often cannot tell single-byte Latin code pages apart (French in
    windows-1252 comes out as windows-1257). Among the candidates within :data:`CLOSE` of the
    best on both chaos and coherence, the one most used on the web wins (:data:`WEB_ORDER`).
    """
    matches = list(from_bytes(body))
    if not matches:
        return None
    floor = min(m.chaos for m in matches)
    near = [m for m in matches if m.chaos <= floor + CLOSE]
    top = max(m.coherence for m in near)
    close = [m for m in near if m.coherence >= top - CLOSE]

    def rank(match: CharsetMatch) -> tuple[int, float, float]:
        name = normalize(match.encoding) or match.encoding
        order = WEB_ORDER.index(name) if name in WEB_ORDER else len(WEB_ORDER)
        return order, match.chaos, -match.coherence

    best = min(close, key=rank)
    return str(best), normalize(best.encoding) or best.encoding
