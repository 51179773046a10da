"""Cheap text features for story clustering: keywords, named entities and title tokens.

No model is involved. Keywords are lower-cased word tokens minus stop words; "entities" are
capitalised phrases (and their words), numbers and acronyms, found with regular expressions;
title tokens are the title's keywords. Rarity is judged by :class:`DocumentFrequencies`, which
is updated online as articles arrive, so the weights follow the stream without a fitting step.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

#: characters of the body read for keywords and entities (the lead carries the event)
TEXT_CHARS = 2000

_STOPWORD_TEXT = """a about above after again against all also am an and any are as at be
    because been
    before being below between both but by can could did do does doing down during each few for
    from further had has have having he her here hers herself him himself his how i if in into is
    it its itself just me more most my myself no nor not now of off on once only or other our ours
    out over own same she should so some such than that the their theirs them then there these
    they this those through to too under until up very was we were what when where which while
    who whom why will with would you your yours said says say told according new one two three
    year years day days week weeks time people may might must shall also would could many much
    since still even yet last first next like get got make made back well way us via per mr mrs
    ms dr monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
    january february march april june july august september october november december"""
#: common words that are neither keywords nor entities
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]*[A-Za-z]|\d+(?:[.,]\d+)*")
_CAPS = re.compile(
    r"(?:[A-Z][A-Za-z'\-]*[A-Za-z]|[A-Z]\.)(?:\s+(?:[A-Z][A-Za-z'\-]*[A-Za-z]|[A-Z]\.))*"
)
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*\b")


def keywords(text: str) -> list[str]:
    """Lower-cased content tokens of ``text`` (stop words and one-letter tokens dropped)."""
    out = []
    for token in _WORD.findall(text):
        low = token.lower().strip("'-")
        if len(low) > 2 and low not in STOPWORDS:
            out.append(low)
        elif low.isdigit() and len(low) <= 2:
            continue
    return out


def entities(text: str) -> set[str]:
    """Named-entity-like strings of ``text``: capitalised phrases (whole and word by word),
    acronyms and numbers with a decimal point or at least three digits, lower-cased.

    Capitalised stop words ("The", "He") are dropped, so a sentence opening yields nothing."""
    found: set[str] = set()
    for match in _CAPS.finditer(text):
        words = [w.lower() for w in match.group(0).split()]
        while words and words[0] in STOPWORDS:
            words.pop(0)
        words = [w for w in words if len(w) > 1 or w.endswith(".")]
        if not words:
            continue
        found.add(" ".join(words))
        found.update(w for w in words if w not in STOPWORDS and len(w) > 2)
    for number in _NUMBER.findall(text):
        if "." in number or len(number.replace(",", "")) >= 3:
            found.add(number.replace(",", ""))
    return found


@dataclass(frozen=True, slots=True)
class Features:
    """What the clusterer keeps of one article's text."""

    #: distinct keywords of title and lead
    terms: frozenset[str]
    #: entity strings of title and lead
    ents: frozenset[str]
    #: distinct keywords of the title
    title: frozenset[str]


def extract(title: str, text: str) -> Features:
    """:class:`Features` of an article (title plus the first :data:`TEXT_CHARS` of its text)."""
    body = text[:TEXT_CHARS]
    title_terms = frozenset(keywords(title))
    terms = frozenset(keywords(body)) | title_terms
    return Features(
        terms=terms, ents=frozenset(entities(title) | entities(body)), title=title_terms
    )


class DocumentFrequencies:
    """Online document frequencies with a smoothed inverse document frequency."""

    __slots__ = ("df", "docs")

    def __init__(self) -> None:
        self.df: Counter[str] = Counter()
        self.docs = 0

    def add(self, items: Iterable[str]) -> None:
        """Count one more document containing ``items`` (distinct strings)."""
        self.df.update(items)
        self.docs += 1

    def idf(self, item: str) -> float:
        """``log((N + 1) / (df + 0.5))``, never below zero."""
        return max(0.0, math.log((self.docs + 1) / (self.df.get(item, 0) + 0.5)))


def weighted_overlap(
    items: Iterable[str], story_counts: Mapping[str, int], story_size: int, df: DocumentFrequencies
) -> float:
    """Share of the article's idf mass that the story also carries, in [0, 1].

    Each item counts with its idf times ``sqrt(share of story members that have it)``, so a
    term one member of a large story mentions in passing weighs less than the story's core."""
    total = 0.0
    hit = 0.0
    for item in items:
        weight = df.idf(item)
        total += weight
        count = story_counts.get(item, 0)
        if count:
            hit += weight * math.sqrt(min(1.0, count / story_size))
    return hit / total if total > 0 else 0.0
