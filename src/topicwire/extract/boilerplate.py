"""Recognise what is not article text: captions, image credits, comment forms, share bars,
newsletter prompts and "related posts" blocks.

Every pattern is anchored at the start of a *short* line, so a real paragraph that merely mentions
"subscribe" or "source" is never taken for boilerplate.
"""

from __future__ import annotations

import re

#: a line longer than this is never a caption or a boilerplate marker
MAX_MARKER_CHARS = 160
#: blocks after a tail marker are dropped only if each is shorter than this ...
MAX_TAIL_BLOCK_CHARS = 400
#: ... there are at most this many of them ...
MAX_TAIL_BLOCKS = 15
#: ... and they hold at most this many characters in all
MAX_TAIL_CHARS = 2500

_CAPTION = re.compile(
    r"^(?:source|image|images|photo|photos|photograph|picture|credit|credits|image credit|"
    r"image source|photo credit|illustration|graphic|video)\s*:\s*(\S.{0,100})$",
    re.IGNORECASE,
)

#: lines that are boilerplate wherever they appear
_LINE_MARKERS = re.compile(
    r"^(?:leave a (?:reply|comment)|post a comment|add a comment|comments?\s*\(\d+\)|"
    r"your email address will not be published|required fields are marked|"
    r"save my name, email,? and website|notify me of (?:new|follow-up)|"
    r"share (?:this|on|via|to)\b|share:?$|tweet$|pin it$|"
    r"(?:sign up|subscribe)(?: now| today)? (?:for|to) (?:our|the|my) (?:free )?"
    r"(?:newsletter|daily|weekly|mailing list)|subscribe(?: now)?!?$|"
    r"(?:click|tap) here to (?:subscribe|sign up)|"
    r"read more:|related:|see also:|also read:|recommended:|"
    r"advertisement$|sponsored$)",
    re.IGNORECASE,
)

#: lines that start a block whose rest (to the end of the text) is boilerplate
_TAIL_MARKERS = re.compile(
    r"^(?:leave a (?:reply|comment)|post a comment|\d+ (?:comments?|responses?)$|comments$|"
    r"related (?:posts|articles|stories|news|content|reading)|you (?:may|might) also like|"
    r"more (?:from|stories|articles|news)\b|recommended (?:for you|stories|articles)|"
    r"read (?:more|next)\b|trending now|popular (?:posts|stories)|"
    r"share this:?|share this (?:article|story|post)|"
    r"(?:sign up|subscribe) (?:for|to) (?:our|the) (?:free )?(?:newsletter|daily|weekly))",
    re.IGNORECASE,
)


def caption_value(line: str) -> str | None:
    """For ``Source: Layoffs`` -> ``Layoffs``; None when ``line`` is not a short credit line."""
    if len(line) > MAX_MARKER_CHARS:
        return None
    match = _CAPTION.match(line.strip())
    if match is None or len(match.group(1).split()) > 10:
        return None
    return match.group(1).strip()


def is_boilerplate_line(line: str) -> bool:
    """True for a short line that is a comment form, share bar or newsletter prompt piece."""
    stripped = line.strip()
    return len(stripped) <= MAX_MARKER_CHARS and bool(_LINE_MARKERS.match(stripped))


def is_tail_marker(line: str) -> bool:
    """True for a short heading-like line (no final full stop) that opens a comments / related
    posts / share block."""
    stripped = line.strip()
    if len(stripped) > 80 or stripped.endswith("."):
        return False
    return bool(_TAIL_MARKERS.match(stripped))


def tail_start(blocks: list[str]) -> int | None:
    """Index of the first block (never the first of all) that opens a boilerplate tail.

    The tail runs to the end of the text and is dropped only when it looks like one: a handful
    of short blocks, as a comment form or a list of related headlines would be.
    """
    for i in range(1, len(blocks)):
        first_line = blocks[i].split("\n", 1)[0]
        if not is_tail_marker(first_line):
            continue
        tail = blocks[i:]
        if (
            len(tail) <= MAX_TAIL_BLOCKS
            and all(len(b) <= MAX_TAIL_BLOCK_CHARS for b in tail)
            and sum(len(b) for b in tail) <= MAX_TAIL_CHARS
        ):
            return i
    return None
