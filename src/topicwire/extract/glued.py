"""Split words glued together in plain text (``thisisn't`` -> ``this isn't``, curly or straight).

A token is split only when every one of these holds, so real words, names, URLs, code, handles and
hashtags are left alone:

- it is made of letters with at most one apostrophe (straight or curly) - no digits, no ``_``,
  ``@``, ``#``, ``/`` or ``.`` inside, and the text around it is plain English prose;
- it is all lower case (no ``iPhone``, ``McDonald``, ``OpenAI``, ``Wistron``, no all-caps: a
  capitalised unknown word is far more often a name than a glued pair);
- it is absent from wordfreq's English list (any word wordfreq knows, however rare, is real);
- its second part is a function word (``is``, ``isn't``, ``might``, ``the``, ``of`` ...): text
  glued at an element boundary runs into the next word of the sentence, while real compounds
  (``backglass``, ``setuptools``, ``fiftysomething``) end in a content word;
- its first part is a frequent word (zipf >= ``MIN_PART_ZIPF``) and not a bare prefix such as
  ``pre``/``co``, and that split is clearly better than any other.

Measured on the ~700 benchmark pages of bench/extraction.py, the looser rule "any two frequent
words" split 38 real words and names; this one splits none of them.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

import wordfreq

#: both halves of a split must be at least this frequent (zipf scale: 3 = once per million words)
MIN_PART_ZIPF = 3.0
#: the best split must beat the runner-up by this much
MIN_MARGIN = 0.5
#: share of tokens that must be frequent English words before any splitting is tried (English
#: prose measures 0.89-0.98 on the bench pages, German 0.3-0.46, English-with-code ~0.65)
MIN_ENGLISH_SHARE = 0.8

#: two-letter words allowed as a half (other halves need three letters)
_SHORT_WORDS = frozenset(
    "of in to on at by we he it is be an as or if so no do my me us".split()  # noqa: SIM905
)
#: first halves that are really prefixes (``pre|trained``, ``co|founder``)
_PREFIX_WORDS = (
    "pre re un non co de dis sub multi micro mega semi post mis inter hyper anti super cyber "
    "geo bio eco auto tele mid ex counter over under out off up gen meta neo ultra"
)
_PREFIXES = frozenset(_PREFIX_WORDS.split())
#: words that can start the second half of a glued pair (apostrophes straight)
_HINGE_WORDS = (
    "is isn't was wasn't are aren't were weren't be been being am has hasn't have haven't had "
    "hadn't do does doesn't did didn't don't can can't cannot could couldn't will won't would "
    "wouldn't shall should shouldn't may might must the an and or but nor of in on at to for from "
    "with by about into onto over after before than that this these those which who whom whose "
    "what when where why how it it's its they they're we we're you you're he she his her their "
    "our your not also just only very then there there's here as if because while although i'm "
    "i've i'll let's that's what's we've they've you've"
)
_HINGES = frozenset(_HINGE_WORDS.split())

_WORD = re.compile(r"^([A-Za-z]+(?:['\u2019][A-Za-z]+)?)$")
_CHUNK = re.compile(r"^([(\"\u201c\u2018\[]*)(.*?)([)\"\u201d\u2019\].,;:!?]*)$")
_LONG_WORD = re.compile(r"[A-Za-z]{2,}(?:['\u2019][A-Za-z]+)?")
_ALPHA = re.compile(r"[a-z]+(?:'[a-z]+)?")


@lru_cache(maxsize=1)
def _zipf_table() -> dict[str, float]:
    """wordfreq's English list as word -> zipf frequency (loaded once)."""
    freqs: dict[str, float] = wordfreq.get_frequency_dict("en", wordlist="best")
    return {word: math.log10(freq) + 9 for word, freq in freqs.items() if freq > 0}


def zipf(word: str) -> float:
    """The zipf frequency of ``word`` in English (0 when wordfreq does not know it)."""
    return _zipf_table().get(word.lower().replace("\u2019", "'"), 0.0)


def looks_english(text: str, sample: int = 400) -> bool:
    """True when most word tokens, sampled evenly across ``text``, are frequent English words."""
    tokens = _ALPHA.findall(text.lower().replace("\u2019", "'"))
    if len(tokens) < 5:
        return False
    tokens = tokens[:: max(1, len(tokens) // sample)]
    table = _zipf_table()
    frequent = sum(1 for t in tokens if table.get(t, 0.0) >= MIN_PART_ZIPF)
    return frequent / len(tokens) >= MIN_ENGLISH_SHARE


def _part_ok(part: str) -> bool:
    return len(part) >= 3 or part in _SHORT_WORDS


def split_glued(token: str) -> tuple[str, str] | None:
    """The two words ``token`` is made of, or None when it should stay as it is."""
    if not _WORD.match(token) or len(token) < 5:
        return None
    if not token.islower():
        return None
    lowered = token.lower().replace("\u2019", "'")
    table = _zipf_table()
    if lowered in table:
        return None
    scored: list[tuple[float, int]] = []
    for i in range(1, len(lowered)):
        head, tail = lowered[:i], lowered[i:]
        if head.endswith("'") or tail.startswith("'"):
            continue
        if not (_part_ok(head) and _part_ok(tail)):
            continue
        if head in _PREFIXES or tail not in _HINGES:
            continue
        score = min(table.get(head, 0.0), table.get(tail, 0.0))
        scored.append((score, i))
    if not scored:
        return None
    scored.sort(reverse=True)
    best, cut = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if best < MIN_PART_ZIPF or best - runner_up < MIN_MARGIN:
        return None
    return token[:cut], token[cut:]


def unknown_words(text: str) -> set[str]:
    """The letter tokens of ``text`` that wordfreq's English list does not know."""
    table = _zipf_table()
    return {w for w in _LONG_WORD.findall(text) if w.lower().replace("\u2019", "'") not in table}


def fix_glued_line(line: str, unknown: set[str] | None = None) -> tuple[str, int]:
    """``line`` with glued tokens split, and how many were split.

    ``unknown`` (from :func:`unknown_words` over a whole text) saves looking words up again.
    """
    if unknown is None:
        unknown = unknown_words(line)
    if not unknown:  # the common case: every word is known, nothing to look at closely
        return line, 0
    chunks = line.split(" ")
    count = 0
    for n, chunk in enumerate(chunks):
        match = _CHUNK.match(chunk)
        if match is None or match.group(2) not in unknown:
            continue
        parts = split_glued(match.group(2))
        if parts is not None:
            chunks[n] = f"{match.group(1)}{parts[0]} {parts[1]}{match.group(3)}"
            count += 1
    return " ".join(chunks), count
