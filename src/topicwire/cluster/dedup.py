"""Near-duplicates: syndicated and lightly edited copies of one canonical article.

Each text becomes a set of word k-shingles (lowercased, punctuation stripped, boilerplate lines
such as "Share this:" or "Leave a Reply" dropped) and a MinHash signature (datasketch, fixed
seed, so signatures are the same in every run and can be persisted with :func:`minhash_bytes`).

A MinHash-LSH index finds *candidates* at a deliberately low Jaccard (``candidate_threshold``),
and each candidate is then *verified*: it is a copy when

- the estimated Jaccard similarity reaches ``threshold`` (headline edits, added boilerplate,
  light rewording), or
- the containment ``|A ∩ B| / min(|A|, |B|)`` reaches ``containment`` (truncated copies and
  copies with a paragraph dropped, whose Jaccard is low because one side is much shorter).
  Containment is exact when the shingles are kept (the default) and estimated from the MinHash
  Jaccard and the two shingle counts otherwise.

Copies keep their figures, and template reports of different events (two earthquakes, two
match results) share most of their wording but not their figures: when both texts hold at least
``MIN_NUMBERS`` distinct numbers and fewer than ``number_agreement`` of the smaller set of
numbers appear in the other, the pair is not a copy whatever its shingles say.

Texts shorter than ``min_words`` words (after boilerplate is dropped) are never declared copies:
a few dozen words give too few shingles to tell a syndicated brief from two briefs that share a
stock phrase. Matching such items is left to exact content hashes or URLs.

Copies form groups: every verified pair links two articles and a group is a connected set of
links, so the groups do not depend on the order in which articles arrive. The canonical article
of a group is the earliest published (unknown dates count as latest), ties broken by key.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datasketch import (  # type: ignore[import-untyped, unused-ignore]
        LeanMinHash,
        MinHash,
    )

from topicwire.errors import TopicwireError
from topicwire.extract.boilerplate import is_boilerplate_line

log = logging.getLogger(__name__)

#: words per shingle
SHINGLE_WORDS = 5
#: estimated Jaccard similarity at or above which two texts are copies
JACCARD_THRESHOLD = 0.7
#: shingle containment at or above which two texts are copies (truncated copies)
CONTAINMENT_THRESHOLD = 0.7
#: Jaccard at which the LSH index proposes candidates (low enough for truncated copies)
CANDIDATE_THRESHOLD = 0.2
#: texts with fewer words than this are never declared copies
MIN_WORDS = 40
#: share of the smaller set of numbers the other text must hold (when both hold enough numbers)
NUMBER_AGREEMENT = 0.5
#: distinct numbers each text needs before the figures are compared
MIN_NUMBERS = 3
#: MinHash permutations and seed
NUM_PERM = 128
SEED = 1

_APOSTROPHES = re.compile("['\u2018\u2019\u02bc]")
_NON_WORD = re.compile(r"[\W_]+")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")


def _datasketch() -> Any:
    """datasketch, imported on first use: it pulls in scipy, which costs every command a
    second at start-up when imported with this module."""
    import datasketch  # type: ignore[import-untyped, unused-ignore]

    return datasketch


@functools.lru_cache(maxsize=16)
def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """The LSH bands and rows datasketch chooses for ``threshold``: worked out once per
    process (datasketch integrates numerically each time an index is made)."""
    probe = _datasketch().MinHashLSH(threshold=threshold, num_perm=num_perm)
    return int(probe.b), int(probe.r)


class DedupError(TopicwireError, KeyError):
    """The near-duplicate index does not hold the article asked for."""

    def __str__(self) -> str:
        return Exception.__str__(self)


def words(text: str) -> list[str]:
    """The words of ``text``: boilerplate lines dropped, lowercased, punctuation stripped.

    Apostrophes vanish without a break (``Trump's`` -> ``trumps``); other punctuation separates
    words.
    """
    kept = (line for line in text.splitlines() if not is_boilerplate_line(line))
    normal = unicodedata.normalize("NFKC", "\n".join(kept)).lower()
    return _NON_WORD.sub(" ", _APOSTROPHES.sub("", normal)).split()


def numbers(text: str) -> set[str]:
    """The distinct figures of ``text`` outside boilerplate lines (``4.8``, ``1998``, ``2:56``)."""
    kept = (line for line in text.splitlines() if not is_boilerplate_line(line))
    return set(_NUMBER.findall(unicodedata.normalize("NFKC", "\n".join(kept))))


def shingles(text: str, k: int = SHINGLE_WORDS) -> set[str]:
    """Word ``k``-shingles of the normalised ``text`` (see :func:`words`).

    A text of fewer than ``k`` words (but at least one) gives a single shingle of all its words;
    an empty text gives an empty set.
    """
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    tokens = words(text)
    if len(tokens) <= k:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + k]) for i in range(len(tokens) - k + 1)}


def minhash_of(items: Iterable[str], *, num_perm: int = NUM_PERM, seed: int = SEED) -> LeanMinHash:
    """The MinHash signature of a set of shingles (deterministic for a given seed)."""
    sketch = _datasketch()
    signature = sketch.MinHash(num_perm=num_perm, seed=seed)
    signature.update_batch([item.encode("utf-8") for item in sorted(items)])
    return sketch.LeanMinHash(signature)


def minhash_bytes(signature: MinHash) -> bytes:
    """A signature as bytes (seed and hash values), for a store to persist."""
    lean_type = _datasketch().LeanMinHash
    lean = signature if isinstance(signature, lean_type) else lean_type(signature)
    buffer = bytearray(lean.bytesize())
    lean.serialize(buffer)
    return bytes(buffer)


def minhash_from_bytes(data: bytes) -> LeanMinHash:
    """The signature :func:`minhash_bytes` wrote."""
    return _datasketch().LeanMinHash.deserialize(bytearray(data))


def containment_of(a: set[str], b: set[str]) -> float:
    """``|a ∩ b| / min(|a|, |b|)``: 1.0 when the smaller set lies wholly inside the larger."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def estimated_containment(jaccard: float, size_a: int, size_b: int) -> float:
    """Containment from a Jaccard estimate and the two set sizes.

    ``|A ∩ B| = J (|A| + |B|) / (1 + J)``; capped at 1.0 since the estimate is noisy.
    """
    if size_a == 0 or size_b == 0:
        return 0.0
    overlap = jaccard * (size_a + size_b) / (1.0 + jaccard)
    return min(1.0, overlap / min(size_a, size_b))


@dataclass(frozen=True)
class Match:
    """A verified near-duplicate link between two articles, with the evidence for it."""

    key: str
    jaccard: float
    containment: float


@dataclass
class _Entry:
    signature: LeanMinHash
    size: int
    n_words: int
    numbers: frozenset[str]
    published_at: datetime | None
    shingles: set[str] | None


def _order(key: str, published_at: datetime | None) -> tuple[bool, float, str]:
    """Sort key of the canonical choice: earliest date first, unknown dates last, then key."""
    if published_at is None:
        return (True, 0.0, key)
    if published_at.tzinfo is None:
        published_at = published_at.replace(tzinfo=UTC)
    return (False, published_at.timestamp(), key)


class NearDuplicateIndex:
    """Articles by key, each marked as the canonical of its group or a copy of it.

    ``threshold`` (estimated Jaccard) and ``containment`` decide whether an LSH candidate is a
    copy; ``candidate_threshold`` is the Jaccard at which the LSH index proposes candidates.
    ``keep_shingles=False`` saves memory: containment is then estimated from the signatures.
    ``number_agreement`` vetoes pairs whose figures disagree (see the module docstring).

    Since exact containment is never below Jaccard, with the shingles kept the Jaccard test only
    matters through the MinHash estimate's noise; it carries the decision when they are not.
    """

    def __init__(
        self,
        threshold: float = JACCARD_THRESHOLD,
        num_perm: int = NUM_PERM,
        seed: int = SEED,
        *,
        containment: float = CONTAINMENT_THRESHOLD,
        candidate_threshold: float = CANDIDATE_THRESHOLD,
        k: int = SHINGLE_WORDS,
        min_words: int = MIN_WORDS,
        number_agreement: float = NUMBER_AGREEMENT,
        keep_shingles: bool = True,
    ) -> None:
        for name, value in (
            ("threshold", threshold),
            ("containment", containment),
            ("candidate_threshold", candidate_threshold),
        ):
            if not 0.0 < value <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], got {value}")
        self.threshold = threshold
        self.containment = containment
        self.candidate_threshold = min(candidate_threshold, threshold)
        self.num_perm = num_perm
        self.seed = seed
        self.k = k
        self.min_words = min_words
        self.number_agreement = number_agreement
        self.keep_shingles = keep_shingles
        self._lsh = _datasketch().MinHashLSH(
            num_perm=num_perm, params=lsh_params(self.candidate_threshold, num_perm)
        )
        self._entries: dict[str, _Entry] = {}
        self._links: dict[str, dict[str, Match]] = {}
        self._groups: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def add(self, key: str, text: str, *, published_at: datetime | None = None) -> str | None:
        """Index ``text`` under ``key``; the key of the canonical article it copies, or None.

        None means the article copies nothing indexed so far, or is itself the earliest of its
        group (a late-arriving original becomes the canonical of its copies). Adding a key
        again replaces the earlier text.
        """
        if key in self._entries:
            self.remove(key)
        items = shingles(text, self.k)
        entry = _Entry(
            signature=minhash_of(items, num_perm=self.num_perm, seed=self.seed),
            size=len(items),
            n_words=len(words(text)),
            numbers=frozenset(numbers(text)),
            published_at=published_at,
            shingles=items if self.keep_shingles else None,
        )
        self._entries[key] = entry
        self._links[key] = {}
        self._groups[key] = {key}
        if entry.n_words >= self.min_words and items:
            for other in sorted(self._lsh.query(entry.signature)):
                match = self._verify(key, other)
                if match is not None:
                    self._link(key, match)
            self._lsh.insert(key, entry.signature)
        canonical = self.canonical_of(key)
        if canonical != key:
            log.debug("%s is a copy of %s", key, canonical)
            return canonical
        return None

    def remove(self, key: str) -> None:
        """Forget ``key``; its group splits if it was the only link between parts of it."""
        if key not in self._entries:
            raise DedupError(f"no article {key!r} in the near-duplicate index")
        if key in self._lsh:
            self._lsh.remove(key)
        del self._entries[key]
        for other in self._links.pop(key):
            del self._links[other][key]
        group = self._groups.pop(key)
        group.discard(key)
        unseen = set(group)
        while unseen:
            start = min(unseen)
            part = {start}
            frontier = [start]
            while frontier:
                for other in self._links[frontier.pop()]:
                    if other not in part:
                        part.add(other)
                        frontier.append(other)
            for member in part:
                self._groups[member] = part
            unseen -= part

    def canonical_of(self, key: str) -> str:
        """The canonical article of ``key``'s group (``key`` itself when it copies nothing)."""
        return min(self._group(key), key=lambda k: _order(k, self._entries[k].published_at))

    def copies_of(self, key: str) -> list[str]:
        """The articles marked as copies of ``key``, sorted; empty unless ``key`` is canonical."""
        group = self._group(key)
        if self.canonical_of(key) != key:
            return []
        return sorted(group - {key})

    def group_of(self, key: str) -> list[str]:
        """Every article of ``key``'s group, ``key`` included, canonical first then by key."""
        canonical = self.canonical_of(key)
        return [canonical, *sorted(self._group(key) - {canonical})]

    def matches_of(self, key: str) -> list[Match]:
        """The verified links of ``key`` (its direct near-duplicates), by key."""
        if key not in self._links:
            raise DedupError(f"no article {key!r} in the near-duplicate index")
        return [self._links[key][other] for other in sorted(self._links[key])]

    def signature_of(self, key: str) -> LeanMinHash:
        """The MinHash signature of ``key`` (persist it with :func:`minhash_bytes`)."""
        if key not in self._entries:
            raise DedupError(f"no article {key!r} in the near-duplicate index")
        return self._entries[key].signature

    def groups(self) -> list[list[str]]:
        """Every group of two or more articles (see :meth:`group_of`), sorted by canonical."""
        seen: set[str] = set()
        found: list[list[str]] = []
        for key in sorted(self._groups):
            if key in seen or len(self._groups[key]) < 2:
                continue
            seen |= self._groups[key]
            found.append(self.group_of(key))
        return sorted(found)

    def compare(self, a: str, b: str) -> Match:
        """Jaccard and containment of two indexed articles, whether or not they are copies."""
        first, second = self._entries[a], self._entries[b]
        jaccard = float(first.signature.jaccard(second.signature))
        if first.shingles is not None and second.shingles is not None:
            contained = containment_of(first.shingles, second.shingles)
        else:
            contained = estimated_containment(jaccard, first.size, second.size)
        return Match(key=b, jaccard=jaccard, containment=contained)

    def _verify(self, key: str, other: str) -> Match | None:
        if self._entries[other].n_words < self.min_words:
            return None
        if not self._figures_agree(self._entries[key].numbers, self._entries[other].numbers):
            return None
        match = self.compare(key, other)
        if match.jaccard >= self.threshold or match.containment >= self.containment:
            return match
        return None

    def _figures_agree(self, a: frozenset[str], b: frozenset[str]) -> bool:
        if min(len(a), len(b)) < MIN_NUMBERS:
            return True
        return len(a & b) / min(len(a), len(b)) >= self.number_agreement

    def _link(self, key: str, match: Match) -> None:
        other = match.key
        self._links[key][other] = match
        self._links[other][key] = Match(key, match.jaccard, match.containment)
        mine, theirs = self._groups[key], self._groups[other]
        if mine is theirs:
            return
        if len(mine) < len(theirs):
            mine, theirs = theirs, mine
        mine |= theirs
        for member in theirs:
            self._groups[member] = mine

    def _group(self, key: str) -> set[str]:
        if key not in self._groups:
            raise DedupError(f"no article {key!r} in the near-duplicate index")
        return self._groups[key]
