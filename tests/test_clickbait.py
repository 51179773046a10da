"""Headline clickbait model: the pure-Python run time matches scikit-learn, the model file holds
no headline, and obvious cases land on the right side."""

from __future__ import annotations

import gzip
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from topicwire.score.clickbait import (
    MODEL_FILE,
    char_wb_ngrams,
    clickbait_probability,
    default_model,
    hand_features,
    murmurhash3_32,
    word_ngrams,
)

#: synthetic headlines written for this test (none comes from the training data)
TITLES = (
    "Regional bank lifts forecast after third-quarter profit beats estimates",
    "17 Things Every Cat Owner Secretly Knows",
    "You Won't Believe What Happened When This Dog Met A Goat",
    "Parliament delays vote on fisheries bill until March",
    "Can You Guess Which Sandwich Matches Your Personality?",
    "  Tabs\tand   spaces,  Ünïcödé & emoji 🙂 — ok?  ",
    "x",
    "",
)


def model_data() -> dict[str, Any]:
    text = resources.files("topicwire.score").joinpath(MODEL_FILE).read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def test_runtime_equals_sklearn_predict_proba() -> None:
    np = pytest.importorskip("numpy")
    sparse = pytest.importorskip("scipy.sparse")
    text = pytest.importorskip("sklearn.feature_extraction.text")
    linear = pytest.importorskip("sklearn.linear_model")
    data = model_data()
    word = text.HashingVectorizer(
        n_features=data["word"]["n_features"], ngram_range=tuple(data["word"]["ngram_range"])
    )
    char = text.HashingVectorizer(
        n_features=data["char"]["n_features"],
        analyzer="char_wb",
        ngram_range=tuple(data["char"]["ngram_range"]),
    )
    hand = sparse.csr_matrix(np.array([hand_features(t) for t in TITLES], dtype=np.float64))
    x = sparse.hstack([word.transform(TITLES), char.transform(TITLES), hand], format="csr")
    coef = np.zeros(x.shape[1])
    coef[data["indices"]] = data["weights"]
    coef[data["word"]["n_features"] + data["char"]["n_features"] :] = data["hand_weights"]
    model = linear.LogisticRegression()
    model.classes_ = np.array([0, 1])
    model.coef_ = coef.reshape(1, -1)
    model.intercept_ = np.array([data["intercept"]])
    expected = model.predict_proba(x)[:, 1]
    for title, want in zip(TITLES, expected, strict=True):
        assert clickbait_probability(title) == pytest.approx(float(want), abs=1e-6), title


def test_hashing_matches_sklearn() -> None:
    murmur = pytest.importorskip("sklearn.utils").murmurhash3_32
    text = pytest.importorskip("sklearn.feature_extraction.text")
    for key in ["", "a", "ab", "abc", "abcd", "abcde", " ü", "🙂🙂", "word pair", "x" * 41]:
        assert murmurhash3_32(key) == murmur(key, seed=0)
    for title in TITLES:
        assert word_ngrams(title, (1, 2)) == text.HashingVectorizer(
            ngram_range=(1, 2)
        ).build_analyzer()(title)
        assert char_wb_ngrams(title, (2, 5)) == text.HashingVectorizer(
            analyzer="char_wb", ngram_range=(2, 5)
        ).build_analyzer()(title)


def test_model_is_small_loaded_once_and_holds_no_text() -> None:
    data = model_data()
    path = resources.files("topicwire.score").joinpath(MODEL_FILE)
    assert len(path.read_bytes()) < 1_500_000
    assert all(isinstance(i, int) for i in data["indices"])
    assert all(isinstance(w, float | int) for w in data["weights"])
    assert set(data) == {
        "format", "word", "char", "hashing", "hand_features", "hand_weights", "intercept",
        "indices", "weights", "meta",
    }  # fmt: skip
    assert default_model() is default_model()


def test_no_training_headline_in_the_model_file(shared: Path) -> None:
    folder = shared / "eval-data" / "headlines-clickbait"
    if not folder.is_dir():
        pytest.skip("headlines-clickbait not in the shared folder")
    text = resources.files("topicwire.score").joinpath(MODEL_FILE).read_text("utf-8").lower()
    with gzip.open(folder / "headlines.jsonl.gz", "rt", encoding="utf-8") as f:
        headlines = [json.loads(line)["headline"] for _, line in zip(range(2000), f, strict=False)]
    long_ones = [h for h in headlines if len(h) > 20]
    assert long_ones and not any(h.lower() in text for h in long_ones)


def test_obvious_cases_and_range() -> None:
    assert clickbait_probability("You Won't Believe These 21 Photos Of Tiny Dogs") > 0.8
    assert clickbait_probability("Central bank holds interest rates at 4.5 percent") < 0.2
    for title in TITLES:
        assert 0.0 <= clickbait_probability(title) <= 1.0
