"""The repair stage: fix what extraction leaves broken in text fields, and count each fix.

``repair_text`` is for bodies (paragraphs separated by blank lines), ``repair_field`` for one-line
fields (title, excerpt, author ...). Both return the repaired text and a :class:`Repairs` counter
(kind -> number of fixes) that the quality stage reads. Both are idempotent: repairing repaired
text changes nothing.

Kinds: ``mojibake`` (tokens whose encoding ftfy fixed), ``glued-words`` (tokens split in two),
``caption`` (``Source: X`` credit lines and the image alt text they name), ``repeated-heading`` (a
line repeating the line before it), ``boilerplate`` (comment forms, share bars, newsletter
prompts, related-posts blocks; one per dropped line or block), ``stray-space`` (a space left
before a full stop or comma where an inline link was stripped: ``layoffs .``), ``date-swap``
(see ``dates``).
"""

from __future__ import annotations

import re
from collections import Counter

import ftfy
from ftfy.badness import is_bad

from topicwire.extract.boilerplate import caption_value, is_boilerplate_line, tail_start
from topicwire.extract.glued import fix_glued_line, looks_english, split_glued, unknown_words

#: ftfy limited to encoding repairs: curly quotes, full-width letters and entities stay as written
_FTFY = ftfy.TextFixerConfig(
    unescape_html=False,
    uncurl_quotes=False,
    fix_character_width=False,
    fix_latin_ligatures=False,
    fix_line_breaks=False,
    explain=False,
)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
#: a UTF-8 lead byte read as Latin-1/cp1252 followed by a continuation byte read the same way:
#: every mojibake of a non-ASCII character contains one (a cheap gate before ftfy's own check)
_MOJIBAKE_HINT = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    "\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_BLANKS = re.compile(r"\n{3,}")
#: a word, one space, then a lone full stop or comma that ends the word (not ".NET", ".5", "...")
_STRAY_SPACE = re.compile(r"(?<=\w) ([.,])(?=[\s\"\u201d\u2019)]|$)")
_MAX_PASSES = 4


class Repairs(Counter[str]):
    """What repair fixed: kind -> count (a ``Counter``; ``+`` and ``update`` sum them)."""

    def add(self, kind: str, count: int = 1) -> None:
        """Count ``count`` more fixes of ``kind`` (nothing when ``count`` is 0)."""
        if count:
            self[kind] += count

    def as_dict(self) -> dict[str, int]:
        """A plain, sorted ``{kind: count}`` without zero entries."""
        return {kind: n for kind, n in sorted(self.items()) if n}


def fix_mojibake(text: str) -> tuple[str, int]:
    """``text`` with mis-decoded UTF-8 (``Amazonâ€™s``) fixed, and how many tokens changed."""
    if text.isascii() or not _MOJIBAKE_HINT.search(text) or not is_bad(text):
        return text, 0
    fixed = text
    for _ in range(3):  # ftfy can need a second look (mojibake of mojibake); stop when stable
        again: str = ftfy.fix_text(fixed, _FTFY)
        if again == fixed:
            break
        fixed = again
    if fixed == text:
        return text, 0
    changed = sum((Counter(text.split()) - Counter(fixed.split())).values())
    return fixed, max(1, changed)


def fix_stray_spaces(text: str) -> tuple[str, int]:
    """``text`` without the space left before ``.``/``,`` where a link was cut out."""
    fixed, count = _STRAY_SPACE.subn(r"\1", text)
    return fixed, count


def repair_field(text: str | None) -> tuple[str, Repairs]:
    """A one-line field (title, excerpt, author): mojibake, stray spaces, whitespace collapsed."""
    repairs = Repairs()
    if not text:
        return "", repairs
    fixed, count = fix_mojibake(" ".join(text.split()))
    repairs.add("mojibake", count)
    fixed, count = fix_stray_spaces(fixed)
    repairs.add("stray-space", count)
    return " ".join(fixed.split()), repairs


def _normalise_space(text: str) -> str:
    text = _SPACES.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = (line.strip() for line in text.split("\n"))
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def _clean_lines(blocks: list[list[str]], repairs: Repairs, glued: set[str]) -> list[list[str]]:
    """Drop captions, alt text, repeated lines and boilerplate lines; split the ``glued`` words."""
    credits = {v.casefold() for b in blocks for line in b if (v := caption_value(line))}
    out: list[list[str]] = []
    previous = ""
    for block in blocks:
        kept: list[str] = []
        for line in block:
            folded = line.casefold()
            if caption_value(line) is not None or (folded in credits and len(line) <= 80):
                repairs.add("caption")
                continue
            if folded == previous:
                repairs.add("repeated-heading")
                continue
            if is_boilerplate_line(line):
                repairs.add("boilerplate")
                continue
            if glued and any(word in line for word in glued):
                line, count = fix_glued_line(line, glued)
                repairs.add("glued-words", count)
            kept.append(line)
            previous = line.casefold()
        if kept:
            out.append(kept)
    return out


def _one_pass(text: str, english: bool) -> tuple[str, Repairs]:
    repairs = Repairs()
    text, count = fix_mojibake(_normalise_space(text))
    if count:
        repairs.add("mojibake", count)
        text = _normalise_space(text)
    text, count = fix_stray_spaces(text)
    repairs.add("stray-space", count)
    blocks = [block.split("\n") for block in text.split("\n\n") if block]
    glued = {w for w in unknown_words(text) if split_glued(w)} if english else set()
    blocks = _clean_lines(blocks, repairs, glued)
    joined = ["\n".join(block) for block in blocks]
    start = tail_start(joined)
    if start is not None:
        repairs.add("boilerplate", len(joined) - start)
        joined = joined[:start]
    return "\n\n".join(joined), repairs


def repair_text(text: str | None, *, language: str | None = None) -> tuple[str, Repairs]:
    """Body text repaired (see the module docstring), and the count of each kind of fix.

    Glued words are split only in English text: when ``language`` is given and is not English,
    or when the text does not look English, that step is skipped.
    """
    total = Repairs()
    if not text:
        return "", total
    foreign = bool(language) and not str(language).lower().startswith("en")
    english = not foreign and looks_english(text)
    for _ in range(_MAX_PASSES):
        text, repairs = _one_pass(text, english)
        total.update(repairs)
        if not repairs:
            break
    return text, total
