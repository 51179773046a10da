"""Headline clickbait probability from a small linear model shipped as JSON.

The model (``clickbait_model.json``, written by ``bench/train_clickbait.py``) is a logistic
regression over three blocks of features:

- word 1-2-grams and ``char_wb`` 2-5-grams, each hashed into its own space exactly as
  scikit-learn's ``HashingVectorizer`` does (signed MurmurHash3, ``alternate_sign``, l2 norm);
- a few hand features (:func:`hand_features`): a leading number, second person, a question ...

At run time only this module and the JSON are needed: the hashing is reimplemented here in pure
Python, and ``tests/test_clickbait.py`` checks it against scikit-learn. The file holds hashed
feature indices and weights only, never a headline.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

MODEL_FILE = "clickbait_model.json"

#: the hand feature names, in the order of :func:`hand_features`
HAND_FEATURES = (
    "leading_number",
    "second_person",
    "question",
    "exclamation",
    "superlative",
    "teaser_opening",
    "short_title",
    "no_capitalised_name",
)

_WORD = re.compile(r"(?u)\b\w\w+\b")
_WHITE_SPACES = re.compile(r"\s\s+")
_SECOND_PERSON = re.compile(r"\b(?:you|your|you're|youre|yourself|you'll|you've|ya)\b", re.I)
_SUPERLATIVE = re.compile(
    r"\b(?:best|worst|most|ever|greatest|biggest|cutest|funniest|weirdest|craziest|"
    r"amazing|incredible|unbelievable|insane|epic|perfect|literally|totally|absolutely)\b",
    re.I,
)
_TEASER = re.compile(
    r"^(?:this|these|here's|here is|here are|why|what|how|which|who|can you|people are|"
    r"we|i)\b",
    re.I,
)
_LEADING_NUMBER = re.compile(
    r"^\s*(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten)\b", re.I
)
_NAME = re.compile(r"(?<!^)(?<![.!?:] )\b[A-Z][a-z]+")


def hand_features(title: str) -> list[float]:
    """The hand features of ``title`` (0 or 1 each), in :data:`HAND_FEATURES` order."""
    stripped = title.strip()
    words = stripped.split()
    return [
        float(bool(_LEADING_NUMBER.match(stripped))),
        float(bool(_SECOND_PERSON.search(stripped))),
        float(stripped.endswith("?")),
        float("!" in stripped),
        float(bool(_SUPERLATIVE.search(stripped))),
        float(bool(_TEASER.match(stripped))),
        float(len(words) <= 6),
        float(_NAME.search(stripped) is None),
    ]


def _rotl32(x: int, r: int) -> int:
    return ((x << r) | (x >> (32 - r))) & 0xFFFFFFFF


def murmurhash3_32(key: str, seed: int = 0) -> int:
    """Signed 32-bit MurmurHash3 (x86) of ``key``'s UTF-8 bytes, as scikit-learn computes it."""
    data = key.encode("utf-8")
    length = len(data)
    h = seed & 0xFFFFFFFF
    c1, c2 = 0xCC9E2D51, 0x1B873593
    nblocks = length // 4
    for i in range(nblocks):
        k = int.from_bytes(data[4 * i : 4 * i + 4], "little")
        k = (k * c1) & 0xFFFFFFFF
        k = _rotl32(k, 15)
        k = (k * c2) & 0xFFFFFFFF
        h ^= k
        h = _rotl32(h, 13)
        h = (h * 5 + 0xE6546B64) & 0xFFFFFFFF
    tail = data[4 * nblocks :]
    k = 0
    if len(tail) >= 3:
        k ^= tail[2] << 16
    if len(tail) >= 2:
        k ^= tail[1] << 8
    if tail:
        k ^= tail[0]
        k = (k * c1) & 0xFFFFFFFF
        k = _rotl32(k, 15)
        k = (k * c2) & 0xFFFFFFFF
        h ^= k
    h ^= length
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & 0xFFFFFFFF
    h ^= h >> 16
    return h - (1 << 32) if h & 0x80000000 else h


def word_ngrams(text: str, ngram_range: tuple[int, int]) -> list[str]:
    """Lower-cased word n-grams, as ``HashingVectorizer(analyzer="word")`` makes them."""
    tokens = _WORD.findall(text.lower())
    low, high = ngram_range
    grams: list[str] = list(tokens) if low == 1 else []
    for n in range(max(low, 2), min(high + 1, len(tokens) + 1)):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


def char_wb_ngrams(text: str, ngram_range: tuple[int, int]) -> list[str]:
    """Lower-cased character n-grams inside word boundaries, as ``analyzer="char_wb"``."""
    low, high = ngram_range
    grams: list[str] = []
    for word in _WHITE_SPACES.sub(" ", text.lower()).split():
        padded = " " + word + " "
        for n in range(low, high + 1):
            offset = 0
            grams.append(padded[offset : offset + n])
            while offset + n < len(padded):
                offset += 1
                grams.append(padded[offset : offset + n])
            if offset == 0:  # a short word is counted once
                break
    return grams


def hashed(grams: list[str], n_features: int, offset: int) -> dict[int, float]:
    """Signed hashed counts of ``grams``, l2-normalised, at indices shifted by ``offset``."""
    counts: dict[int, float] = {}
    for gram in grams:
        h = murmurhash3_32(gram)
        index = abs(h) % n_features + offset
        counts[index] = counts.get(index, 0.0) + (1.0 if h >= 0 else -1.0)
    norm = math.sqrt(sum(v * v for v in counts.values()))
    if norm == 0.0:
        return {}
    return {index: value / norm for index, value in counts.items() if value != 0.0}


@dataclass(frozen=True)
class ClickbaitModel:
    """The loaded model: hashing parameters, sparse weights and intercept."""

    word_features: int
    word_ngrams: tuple[int, int]
    char_features: int
    char_ngrams: tuple[int, int]
    weights: dict[int, float]
    hand_weights: tuple[float, ...]
    intercept: float

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> ClickbaitModel:
        """Build from the JSON mapping written by ``bench/train_clickbait.py``."""
        word, char = data["word"], data["char"]
        return cls(
            word_features=int(word["n_features"]),
            word_ngrams=(int(word["ngram_range"][0]), int(word["ngram_range"][1])),
            char_features=int(char["n_features"]),
            char_ngrams=(int(char["ngram_range"][0]), int(char["ngram_range"][1])),
            weights=dict(zip(data["indices"], data["weights"], strict=True)),
            hand_weights=tuple(float(w) for w in data["hand_weights"]),
            intercept=float(data["intercept"]),
        )

    def features(self, title: str) -> dict[int, float]:
        """The sparse feature vector of ``title`` in the model's combined index space (word
        block, then char block, then the hand features)."""
        vector = hashed(word_ngrams(title, self.word_ngrams), self.word_features, 0)
        vector.update(
            hashed(char_wb_ngrams(title, self.char_ngrams), self.char_features, self.word_features)
        )
        base = self.word_features + self.char_features
        for i, value in enumerate(hand_features(title)):
            if value:
                vector[base + i] = value
        return vector

    def decision(self, title: str) -> float:
        """The linear score (log-odds of clickbait) of ``title``."""
        base = self.word_features + self.char_features
        total = self.intercept
        for index, value in self.features(title).items():
            if index >= base:
                total += self.hand_weights[index - base] * value
            else:
                total += self.weights.get(index, 0.0) * value
        return total

    def probability(self, title: str) -> float:
        """The probability (0-1) that ``title`` is clickbait."""
        z = self.decision(title)
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)


def load_model(path: Path | None = None) -> ClickbaitModel:
    """Read a model file; the packaged ``clickbait_model.json`` by default."""
    if path is None:
        text = resources.files("topicwire.score").joinpath(MODEL_FILE).read_text("utf-8")
    else:
        text = path.read_text("utf-8")
    return ClickbaitModel.from_data(json.loads(text))


@cache
def default_model() -> ClickbaitModel:
    """The packaged model, loaded once."""
    return load_model()


def clickbait_probability(title: str) -> float:
    """The probability (0-1) that the headline ``title`` is clickbait, by the packaged model."""
    return default_model().probability(title)
