"""Keyword and phrase matching for topic assignment: whole words, case rules, boilerplate skipped.

Rules (each is tested in ``tests/test_topics.py``):

- A keyword matches whole words only: ``chip`` matches "chip" and "chips" but not "chipset" or
  "microchip"; the words of a phrase may be joined by spaces or hyphens ("self driving" matches
  "self-driving"); a simple plural ("s"/"es") of the last word is accepted.
- Acronyms are case-sensitive: a keyword of at most three letters (``ai``, ``ml``, ``aws``) or
  one written in capitals in the topic file (``ONNX``) matches only the capitalised token, with
  or without dots ("AI", "A.I.", "AIs"), never "ai" as in the French "j'ai", never inside
  "Taipei" and never "Ai" (a name). Every other keyword matches in any case ("PyTorch",
  "pytorch", "PYTORCH").
- Only the title, the excerpt and the main text are searched; in the text, boilerplate lines
  (share bars, newsletter prompts, policy and ethics-statement footers, copyright lines) and a
  trailing boilerplate block (comments, related posts) are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from topicwire.extract.boilerplate import is_boilerplate_line, tail_start

#: where a keyword can be found, in the order evidence lists them
PLACES = ("title", "excerpt", "text")

#: footer lines that name a policy page: "See our ethics statement", "Read our privacy policy"
_POLICY_LINE = re.compile(
    r"^(?:(?:see|read|view|review|visit|check|learn about|find) (?:our|the)\b.{0,60}\b"
    r"(?:statement|polic(?:y|ies)|standards|guidelines|principles|code of (?:conduct|ethics)|"
    r"terms|disclosures?|notice)\b|"
    r"(?:our )?(?:ethics|editorial|privacy|cookie|accessibility) "
    r"(?:statement|policy|policies|standards|guidelines|notice)\b|"
    r"(?:©|\(c\)|copyright\b)|all rights reserved|terms of (?:use|service)\b|"
    r"(?:follow|like) us on\b|about (?:us|the author)$)",
    re.IGNORECASE,
)
_MAX_POLICY_LINE = 160


def is_topic_boilerplate(line: str) -> bool:
    """True for a line that is never evidence for a topic: the extractor's boilerplate lines
    plus short footer lines naming a policy, a statement or a copyright."""
    stripped = line.strip().lstrip("-*•|>#· ").strip()
    if not stripped:
        return True
    if is_boilerplate_line(stripped):
        return True
    return len(stripped) <= _MAX_POLICY_LINE and bool(_POLICY_LINE.match(stripped))


def main_text(text: str | None) -> str:
    """``text`` without its boilerplate lines and its boilerplate tail block."""
    if not text:
        return ""
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    end = tail_start(blocks)
    if end is not None:
        blocks = blocks[:end]
    kept = [
        line for block in blocks for line in block.splitlines() if not is_topic_boilerplate(line)
    ]
    return "\n".join(kept)


def is_acronym(keyword: str) -> bool:
    """Whether ``keyword`` is matched case-sensitively as an acronym (see the module rules)."""
    word = keyword.strip()
    if " " in word or not word.isalpha():
        return False
    return len(word) <= 3 or (word.isupper() and len(word) >= 2)


def keyword_pattern(keyword: str) -> re.Pattern[str]:
    """The compiled pattern for one keyword (whole words, the module's case rules)."""
    word = keyword.strip()
    if is_acronym(word):
        letters = word.upper()
        dotted = r"\.".join(re.escape(ch) for ch in letters) + r"\.?"
        body = rf"(?:{re.escape(letters)}|{dotted})(?:s|'s|\u2019s)?"
        return re.compile(rf"(?<![\w.]){body}(?!\w)")
    words = [re.escape(w) for w in re.split(r"[\s\-]+", word) if w]
    body = r"[\s\-]+".join(words)
    if word[-1:].isalpha():
        body += r"(?:s|es|'s|\u2019s)?"
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Hit:
    """One keyword found in one place of an article, ``count`` times."""

    keyword: str
    where: str
    count: int


class KeywordMatcher:
    """Finds a fixed list of keywords in an article's title, excerpt and main text."""

    def __init__(self, keywords: Iterable[str]) -> None:
        seen: dict[str, str] = {}
        for keyword in keywords:
            key = keyword.strip().lower()
            if key and key not in seen:
                seen[key] = keyword.strip()
        self.keywords: list[str] = list(seen.values())
        self._patterns = [(k, keyword_pattern(k)) for k in self.keywords]

    def find(self, places: Sequence[tuple[str, str]]) -> list[Hit]:
        """Hits in ``places`` (``(where, text)`` pairs), keyword by keyword, place by place."""
        hits: list[Hit] = []
        for keyword, pattern in self._patterns:
            for where, text in places:
                if not text:
                    continue
                count = len(pattern.findall(text))
                if count:
                    hits.append(Hit(keyword, where, count))
        return hits
