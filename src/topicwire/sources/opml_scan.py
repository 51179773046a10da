"""The last-resort OPML reader: ``<outline>`` tags found with regular expressions.

It survives what XML parsers cannot: bare ``&`` and unescaped ``"`` in attribute values, unclosed
tags, junk between elements. Nesting (for categories) is followed through open and close tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from topicwire.limits import MAX_DEPTH


@dataclass(frozen=True, slots=True)
class Outline:
    """A feed outline: its xmlUrl, its title and its category path (``"A / B"``)."""

    url: str
    title: str | None
    category: str | None


_OUTLINE_START = re.compile(rb"<(/?)outline\b", re.IGNORECASE)
_TAG_QUOTED = re.compile(rb'<outline\b((?:"[^"]*"|[^>"])*)>', re.IGNORECASE)
_TAG_PLAIN = re.compile(rb"<outline\b([^>]*)>", re.IGNORECASE)
_XML_URL = re.compile(r"\bxmlUrl\s*=\s*([\"'])\s*([^\"'\s>]*)\s*\1", re.IGNORECASE)
_FEED_OUTLINE = re.compile(rb"<outline\b[^>]*?\bxmlUrl\s*=\s*[\"']\s*[^\"'\s>]", re.IGNORECASE)
_BARE_AMPERSAND = re.compile(rb"&(?!(?:[A-Za-z][A-Za-z0-9._-]*|#[0-9]+|#x[0-9A-Fa-f]+);)")
_XML_ENTITY = re.compile(r"&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def count_feed_outlines(data: bytes) -> int:
    """How many ``<outline>`` tags carry a non-empty ``xmlUrl`` attribute."""
    return len(_FEED_OUTLINE.findall(data))


def repair_ampersands(data: bytes) -> bytes:
    """Escape every ``&`` that does not start an entity or character reference."""
    return _BARE_AMPERSAND.sub(b"&amp;", data)


def _scan_attr(attrs: str, name: str) -> str | None:
    """An attribute value whose closing quote is the one followed by another attribute or end."""
    pattern = rf"\b{name}\s*=\s*\"(.*?)\"(?=\s+[\w:-]+\s*=|\s*/?\s*$)"
    match = re.search(pattern, attrs, re.IGNORECASE | re.DOTALL)
    if match is None:
        return None
    return _xml_unescape(match.group(1)).strip() or None


def _xml_unescape(value: str) -> str:
    """Decode XML's five entities and character references; leave any other ``&`` alone, and
    references to what XML cannot carry (``&#0;``, a surrogate such as ``&#xD800;``)."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _NAMED:
            return _NAMED[name]
        try:  # (a reference of over 4,300 digits is a ValueError)
            code = int(name[2:], 16) if name[1:2] in ("x", "X") else int(name[1:])
        except ValueError:
            return match.group(0)
        if code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD:
            return chr(code)
        return chr(code) if 0x10000 <= code <= 0x10FFFF else match.group(0)

    return _XML_ENTITY.sub(one, value)


def scan_outlines(data: bytes) -> list[Outline]:
    """Last resort: read ``<outline>`` tags with regular expressions, tracking their nesting."""
    found: list[Outline] = []
    trail: list[str] = []
    for start in _OUTLINE_START.finditer(data):
        if start.group(1):
            if trail:
                trail.pop()
            continue
        match = _TAG_QUOTED.match(data, start.start())
        if match is None or re.search(rb"<outline\b", match.group(1), re.IGNORECASE):
            match = _TAG_PLAIN.match(data, start.start())
        if match is None:
            continue
        attrs = match.group(1).decode("utf-8", errors="replace")
        self_closing = attrs.rstrip().endswith("/")
        url_match = _XML_URL.search(attrs)
        title = _scan_attr(attrs, "title") or _scan_attr(attrs, "text")
        if url_match and url_match.group(2):
            url = _xml_unescape(url_match.group(2))
            folders = (t for t in trail[:MAX_DEPTH] if t)  # a deep list: the outermost titles
            found.append(Outline(url, title, " / ".join(folders) or None))
        if not self_closing:
            trail.append("" if url_match else (title or ""))
    return found
