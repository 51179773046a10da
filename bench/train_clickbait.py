"""Train the headline clickbait classifier and write ``src/topicwire/score/clickbait_model.json``.

Data: the DEV split of ``headlines-clickbait`` under ``--data`` (default ``../shared/eval-data``
beside the checkout): ``headlines.jsonl.gz``, one ``{"id", "headline", "label"}`` per line.

Model: logistic regression over word 1-2-grams and ``char_wb`` 2-5-grams (each hashed with
scikit-learn's ``HashingVectorizer``, l2-normalised) plus the hand features of
:func:`topicwire.score.clickbait.hand_features`. The run reports 5-fold stratified
cross-validated ROC AUC, for the full model and for the model pruned to the ``--keep``
largest-magnitude hashed weights (pruning inside each fold), then fits on all dev data, prunes and
writes the model file: hashing parameters, feature indices, weights and intercept; never a
headline. It ends with ONE JSON line of headline numbers.

    .venv/bin/python bench/train_clickbait.py [--data DIR] [--keep N] [--c C] [--out PATH]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse  # type: ignore[import-untyped]
from sklearn.feature_extraction.text import HashingVectorizer  # type: ignore[import-untyped]
from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
from sklearn.metrics import roc_auc_score  # type: ignore[import-untyped]
from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

from topicwire.score.clickbait import HAND_FEATURES, hand_features

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "eval-data"
DEFAULT_OUT = ROOT / "src" / "topicwire" / "score" / "clickbait_model.json"
WORD_FEATURES = 2**18
CHAR_FEATURES = 2**18
WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (2, 5)
SEED = 20161


def load(folder: Path) -> tuple[list[str], np.ndarray]:
    """Headlines and labels of the dev split, in file order."""
    with gzip.open(folder / "headlines.jsonl.gz", "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [r["headline"] for r in rows], np.array([int(r["label"]) for r in rows])


def vectorizers() -> tuple[HashingVectorizer, HashingVectorizer]:
    """The word and char vectorizers whose hashing the run-time module reimplements."""
    word = HashingVectorizer(n_features=WORD_FEATURES, ngram_range=WORD_NGRAMS)
    char = HashingVectorizer(n_features=CHAR_FEATURES, analyzer="char_wb", ngram_range=CHAR_NGRAMS)
    return word, char


def featurize(titles: list[str]) -> sparse.csr_matrix:
    """Word block, char block and hand features side by side (the model's index space)."""
    word, char = vectorizers()
    hand = sparse.csr_matrix(np.array([hand_features(t) for t in titles], dtype=np.float64))
    return sparse.hstack([word.transform(titles), char.transform(titles), hand], format="csr")


def prune(model: LogisticRegression, keep: int) -> None:
    """Zero all but the ``keep`` largest-magnitude hashed weights (hand weights always stay)."""
    coef = model.coef_[0]
    hashed = coef[: WORD_FEATURES + CHAR_FEATURES]
    if np.count_nonzero(hashed) > keep:
        cut = np.sort(np.abs(hashed))[-keep]
        hashed[np.abs(hashed) < cut] = 0.0


def fit(x: sparse.csr_matrix, y: np.ndarray, c: float) -> LogisticRegression:
    """A logistic regression fitted on ``x``, ``y``."""
    model = LogisticRegression(C=c, max_iter=2000, solver="liblinear")
    model.fit(x, y)
    return model


def cross_validate(
    x: sparse.csr_matrix, y: np.ndarray, c: float, keep: int
) -> tuple[list[float], list[float]]:
    """Per-fold ROC AUC of the full and the pruned model (5 stratified folds, fixed seed)."""
    full: list[float] = []
    pruned: list[float] = []
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
    for train, test in folds.split(np.zeros(len(y)), y):
        model = fit(x[train], y[train], c)
        full.append(float(roc_auc_score(y[test], model.decision_function(x[test]))))
        prune(model, keep)
        pruned.append(float(roc_auc_score(y[test], model.decision_function(x[test]))))
    return full, pruned


def model_data(model: LogisticRegression, meta: dict[str, Any]) -> dict[str, Any]:
    """The JSON model: hashing parameters, nonzero hashed weights, hand weights, intercept."""
    coef = model.coef_[0]
    base = WORD_FEATURES + CHAR_FEATURES
    indices = [int(i) for i in np.flatnonzero(coef[:base])]
    return {
        "format": "topicwire-clickbait-1",
        "word": {"n_features": WORD_FEATURES, "ngram_range": list(WORD_NGRAMS)},
        "char": {"n_features": CHAR_FEATURES, "ngram_range": list(CHAR_NGRAMS)},
        "hashing": "sklearn HashingVectorizer: lowercase, alternate_sign, l2 norm per block",
        "hand_features": list(HAND_FEATURES),
        "hand_weights": [round(float(w), 6) for w in coef[base:]],
        "intercept": round(float(model.intercept_[0]), 6),
        "indices": indices,
        "weights": [round(float(coef[i]), 6) for i in indices],
        "meta": meta,
    }


def main(argv: list[str] | None = None) -> int:
    """Cross-validate, fit on all dev data, write the model file, print the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--keep", type=int, default=60000, help="hashed weights to keep")
    parser.add_argument("--c", type=float, default=8.0, help="inverse regularisation strength")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    titles, y = load(args.data / "headlines-clickbait")
    x = featurize(titles)
    full, pruned = cross_validate(x, y, args.c, args.keep)
    model = fit(x, y, args.c)
    nonzero_before = int(np.count_nonzero(model.coef_[0][: WORD_FEATURES + CHAR_FEATURES]))
    prune(model, args.keep)
    cv_auc, cv_auc_pruned = float(np.mean(full)), float(np.mean(pruned))
    meta = {
        "trained_on": "headlines-clickbait DEV split",
        "examples": len(y),
        "c": args.c,
        "cv_auc": round(cv_auc, 4),
        "cv_auc_pruned": round(cv_auc_pruned, 4),
    }
    data = model_data(model, meta)
    args.out.write_text(json.dumps(data, separators=(",", ":")) + "\n", encoding="utf-8")
    size = args.out.stat().st_size

    print(f"headlines-clickbait dev: {len(y)} headlines, {int(y.sum())} clickbait")
    print(f"{'fold':>6} {'AUC full':>10} {'AUC pruned':>11}")
    for i, (a, b) in enumerate(zip(full, pruned, strict=True), 1):
        print(f"{i:>6} {a:>10.4f} {b:>11.4f}")
    print(f"{'mean':>6} {cv_auc:>10.4f} {cv_auc_pruned:>11.4f}")
    print(f"hashed weights: {nonzero_before} nonzero, kept {len(data['indices'])}")
    for name, weight in zip(HAND_FEATURES, data["hand_weights"], strict=True):
        print(f"  hand {name:<22} {weight:+.3f}")
    print(f"wrote {args.out} ({size / 1e6:.2f} MB)")
    summary = {
        "bench": "clickbait",
        "cv_auc": round(cv_auc, 4),
        "cv_auc_pruned": round(cv_auc_pruned, 4),
        "goal": 0.93,
        "examples": len(y),
        "kept_weights": len(data["indices"]),
        "model_bytes": size,
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
