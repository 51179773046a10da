"""The excerpt: the article's opening, 150-300 characters, cut cleanly.

Headings, bylines, credit lines and boilerplate are skipped; the cut is at the last sentence end
inside the window, else at the last word boundary followed by an ellipsis (never mid-word); a text
shorter than the minimum is returned whole. The meta description is used only for an empty text.
"""

from __future__ import annotations

import re

from topicwire.extract.boilerplate import caption_value, is_boilerplate_line, is_tail_marker
from topicwire.extract.repair import repair_field

ELLIPSIS = "\u2026"

_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*(?=\s|$)")
_BYLINE = re.compile(r"^(?:by|von|par|por|di)\s+\S", re.IGNORECASE)
_DATE_LINE = re.compile(r"^[\w ,.:/-]{0,40}\b(?:19|20)\d\d\b[\w ,.:/-]{0,20}$")
_TRAILING_MESS = re.compile(r"[\s,;:\-\u2013\u2014(\[{/'\"\u201c\u2018]+$")


def _is_lead_noise(line: str) -> bool:
    """Lines that open an article page but are not its text: headings, bylines, dates, credits."""
    if caption_value(line) is not None or is_boilerplate_line(line) or is_tail_marker(line):
        return True
    if len(line) < 80 and (_BYLINE.match(line) or _DATE_LINE.match(line)):
        return True
    # a heading: short and not ending like a sentence
    return len(line) < 100 and not _SENTENCE_END.search(line[-3:])


def _opening(text: str, max_len: int) -> str:
    pieces: list[str] = []
    size = 0
    for raw in text.split("\n"):
        line = " ".join(raw.split())
        if not line or _is_lead_noise(line):
            if pieces:  # a heading after the first paragraph ends the opening
                break
            continue
        pieces.append(line)
        size += len(line) + 1
        if size > max_len:
            break
    return " ".join(pieces)


def cut(text: str, min_len: int = 150, max_len: int = 300) -> str:
    """``text`` cut to at most ``max_len`` characters at a sentence end or a word boundary."""
    if len(text) <= max_len:
        return _TRAILING_MESS.sub("", text) or text
    window = text[: max_len + 1]
    ends = [m.end() for m in _SENTENCE_END.finditer(window) if min_len <= m.end() <= max_len]
    if ends:
        return window[: ends[-1]]
    limit = max_len - len(ELLIPSIS)
    space = text.rfind(" ", 0, limit + 1)
    if space <= 0:
        return text[:limit] + ELLIPSIS if not text[limit].isspace() else text[:limit]
    head = _TRAILING_MESS.sub("", text[:space])
    return (head or text[:space]) + ELLIPSIS


def make_excerpt(
    text: str | None,
    min_len: int = 150,
    max_len: int = 300,
    *,
    fallback: str | None = None,
) -> str:
    """The article's opening as an excerpt; ``fallback`` (repaired) only when ``text`` is empty."""
    opening = _opening(text or "", max_len)
    if not opening and text and text.strip():
        opening = " ".join(text.split())[: max_len * 2]
    if not opening:
        opening, _ = repair_field(fallback)
    return cut(opening, min_len, max_len)
