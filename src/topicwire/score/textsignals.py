"""Read the signals the quality score needs from an article's text.

Everything here works on the *content* blocks: the text split at blank lines, with every line
that :mod:`topicwire.extract.boilerplate` recognises (share bars, comment forms, credits, tail
markers) left out. Leftover boilerplate is counted separately, so appending boilerplate never adds
words, facts or paragraphs.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from topicwire.extract.boilerplate import caption_value, is_boilerplate_line, is_tail_marker

#: filler and SEO phrases of low-effort rewrites (our own list; matched case-insensitively,
#: apostrophes normalised, on word boundaries)
FILLER_PHRASES: tuple[str, ...] = (
    "a must-read",
    "at the end of the day",
    "buckle up",
    "but here's the thing",
    "but wait, there's more",
    "dive deep",
    "first things first",
    "game-changer",
    "here's the thing",
    "here's what you need to know",
    "in this article, we will",
    "in today's fast-paced world",
    "it goes without saying",
    "it's a complex situation",
    "it's no secret that",
    "key takeaway",
    "let me be clear",
    "let me rephrase that",
    "let's be honest",
    "let's dig deeper",
    "let's dive in",
    "let's take a closer look",
    "needless to say",
    "only time will tell",
    "read on to find out",
    "stay ahead of the curve",
    "think about it:",
    "what does this mean for you",
    "without further ado",
    "you won't believe",
)

#: English function words and news verbs that are never "stuffed keywords"
STOPWORDS = frozenset(
    [
        "about",
        "above",
        "after",
        "again",
        "against",
        "also",
        "although",
        "among",
        "another",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "could",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "even",
        "every",
        "from",
        "further",
        "have",
        "having",
        "here",
        "into",
        "itself",
        "just",
        "like",
        "made",
        "make",
        "many",
        "more",
        "most",
        "much",
        "must",
        "never",
        "only",
        "other",
        "over",
        "same",
        "says",
        "said",
        "should",
        "since",
        "some",
        "such",
        "than",
        "that",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "under",
        "until",
        "very",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "will",
        "with",
        "within",
        "without",
        "would",
        "your",
        "yours",
        "it's",
        "that's",
        "there's",
        "they're",
        "we're",
        "you're",
        "isn't",
        "aren't",
        "wasn't",
        "don't",
        "doesn't",
        "didn't",
        "can't",
    ]
)

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_WORDS = re.compile(r"[^\W_][\w'\u2019-]*")
_NUMBER = re.compile(r"(?<![\w.])\d[\d,.]*(?:\s?(?:%|percent|million|billion|bn|m)\b)?")
_LIST_NUMBER = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*\u2022])\s+")
_ADVICE_ITEM = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*\u2022])\s+[A-Z][\w'-]*(?:,?\s[\w'-]+){0,5}:\s")
_SOURCE = re.compile(
    r"\b(?:said|says|told|according to|spokes(?:person|man|woman)|stated|announced|"
    r"confirmed|wrote in|in a statement|in a filing|reported)\b",
    re.IGNORECASE,
)
_QUOTE = re.compile(r"[\"\u201c]([^\"\u201c\u201d]{12,}?)[\"\u201d]")
_ACRONYM = re.compile(r"[A-Z]{2,3}")
_FAQ_HEADING = re.compile(r"^(?:faqs?\b|frequently asked questions)", re.IGNORECASE)
_FAQ_TITLE = re.compile(r"\b(?:faqs?|frequently asked questions)\b", re.IGNORECASE)

#: a question heading is at most this long; an FAQ answer at most this long
MAX_QUESTION_CHARS = 140
MAX_ANSWER_CHARS = 450
#: a quoted passage shorter than this is a scare quote, not a quote
MIN_QUOTE_WORDS = 4
#: a run of this many question/answer pairs is an FAQ block even without an "FAQ" heading
MIN_FAQ_PAIRS = 3
#: keyword stuffing: a content term at least this dense and at least this frequent
STUFFING_DENSITY = 0.025
STUFFING_MIN_COUNT = 8


def normalise(text: str) -> str:
    """Lower-cased text with curly apostrophes made straight."""
    return text.translate(_APOSTROPHES).lower()


def is_leftover_boilerplate(line: str) -> bool:
    """True for a line the extractor's boilerplate rules recognise (caption, share bar ...)."""
    return is_boilerplate_line(line) or is_tail_marker(line) or caption_value(line) is not None


@dataclass(frozen=True)
class TextParts:
    """The content blocks of a text and how many boilerplate lines were left out of them."""

    blocks: tuple[str, ...]
    boilerplate_lines: int

    @property
    def words(self) -> list[str]:
        """Every word of the content blocks, in order."""
        return [w for block in self.blocks for w in _WORDS.findall(block)]


def split_text(text: str) -> TextParts:
    """Split ``text`` at blank lines into content blocks, leaving boilerplate lines out."""
    blocks: list[str] = []
    boilerplate = 0
    for raw in re.split(r"\n\s*\n", text):
        kept: list[str] = []
        for line in raw.splitlines():
            if not line.strip():
                continue
            if is_leftover_boilerplate(line):
                boilerplate += 1
            else:
                kept.append(line.strip())
        if kept:
            blocks.append("\n".join(kept))
    return TextParts(tuple(blocks), boilerplate)


@dataclass(frozen=True)
class Facts:
    """Concrete facts found in the content: numbers, attributions to a source, quotes."""

    numbers: int
    sources: int
    quotes: int


def count_facts(parts: TextParts) -> Facts:
    """Numbers (list markers excluded), attribution verbs and quoted passages of the content."""
    numbers = sources = quotes = 0
    for block in parts.blocks:
        for line in block.splitlines():
            numbers += len(_NUMBER.findall(_LIST_NUMBER.sub("", line)))
        sources += len(_SOURCE.findall(block))
        quotes += sum(len(q.split()) >= MIN_QUOTE_WORDS for q in _QUOTE.findall(block))
    return Facts(numbers, sources, quotes)


def find_filler(parts: TextParts) -> Counter[str]:
    """Occurrences of each :data:`FILLER_PHRASES` entry in the content."""
    text = normalise("\n".join(parts.blocks))
    found: Counter[str] = Counter()
    for phrase in FILLER_PHRASES:
        pattern = r"(?<![\w'])" + re.escape(phrase) + (r"(?![\w'])" if phrase[-1].isalnum() else "")
        count = len(re.findall(pattern, text))
        if count:
            found[phrase] = count
    # "but here's the thing" also contains "here's the thing": count the longer phrase only
    if found.get("but here's the thing"):
        found["here's the thing"] -= found["but here's the thing"]
        if found["here's the thing"] <= 0:
            del found["here's the thing"]
    return found


def _is_question(block: str) -> bool:
    return "\n" not in block and len(block) <= MAX_QUESTION_CHARS and block.rstrip().endswith("?")


def faq_pairs(parts: TextParts) -> int:
    """Question/answer pairs in the longest FAQ block: a run of short question headings each
    followed by a short answer, or any such pairs after an "FAQ" / "Frequently asked questions"
    heading. 0 when there is none."""
    blocks = parts.blocks
    best = 0
    i = 0
    headed = False
    while i < len(blocks):
        block = blocks[i]
        if len(block) <= MAX_QUESTION_CHARS and (
            _FAQ_HEADING.match(block) or (_FAQ_TITLE.search(block) and "\n" not in block)
        ):
            headed = True
            i += 1
            continue
        run = 0
        while (
            i + 1 < len(blocks)
            and _is_question(blocks[i])
            and not _is_question(blocks[i + 1])
            and len(blocks[i + 1]) <= MAX_ANSWER_CHARS
        ):
            run += 1
            i += 2
        if run >= MIN_FAQ_PAIRS or (headed and run >= 1):
            best = max(best, run)
        headed = False
        if run == 0:
            i += 1
    return best


def stuffed_terms(parts: TextParts, title: str) -> list[tuple[str, int, float]]:
    """Headline terms repeated at an unusually high density in the text: ``(term, count,
    density)``, densest first, then alphabetical.

    Only terms of the headline count (SEO stuffing repeats the keyword the page is meant to rank
    for; a report about Hong Kong may say "Hong Kong" often). A term is a non-stop word of 4+
    letters or an acronym such as "AI".
    """
    words = parts.words
    if not words:
        return []
    wanted = {_term(w) for w in _WORDS.findall(title)} - {None}
    counts = Counter(t for t in map(_term, words) if t is not None and t in wanted)
    found = [
        (term, n, n / len(words))
        for term, n in counts.items()
        if n >= STUFFING_MIN_COUNT and n / len(words) >= STUFFING_DENSITY
    ]
    return sorted(found, key=lambda item: (-item[2], item[0]))


def _term(word: str) -> str | None:
    """``word`` normalised when it can be a keyword (4+ letters or an acronym, not a stop
    word, not a number), else None."""
    if word[0].isdigit() or not (len(word) >= 4 or _ACRONYM.fullmatch(word)):
        return None
    term = normalise(word)
    return None if term in STOPWORDS else term


@dataclass(frozen=True)
class Listicle:
    """List items of the content: all of them, those written as "Label: advice", and the
    share of content words they hold."""

    items: int
    advice_items: int
    word_share: float


def listicle(parts: TextParts) -> Listicle:
    """Count list lines (``1.``, ``-``, ``*``, bullets) and how much of the text they make."""
    items = advice = 0
    item_words = 0
    for block in parts.blocks:
        for line in block.splitlines():
            if _LIST_NUMBER.match(line):
                items += 1
                item_words += len(_WORDS.findall(line))
                if _ADVICE_ITEM.match(line):
                    advice += 1
    total = len(parts.words)
    return Listicle(items, advice, item_words / total if total else 0.0)
