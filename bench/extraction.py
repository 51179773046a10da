"""Extraction bench: topicwire's ``extract_html`` against raw trafilatura settings.

Two datasets from ``--data`` (default ``../shared/eval-data`` beside the checkout), each scored
with its own benchmark's metric, as described in the dataset's README.md:

- ``article-extraction-scrapinghub``: token 4-shingle precision/recall/F1 of the article body,
  per document normalised so TP+FP+FN = 1, precision and recall averaged over documents, F1 the
  harmonic mean of the two means; accuracy = exact token-sequence match.
- ``article-extraction-trafilatura``: gold "with" / "without" segments looked up as substrings of
  the whitespace-normalised output, micro-averaged over all pages.

Every tool runs in the same process, one page after another (one core), so the pages/s column
compares like with like. ``topicwire-raw`` is topicwire without the repair stage (repair must
never lower F1); ``topicwire-full`` always runs trafilatura's full extraction instead of the
fast-first step (see ``FAST_RETRY_BELOW`` in ``topicwire.extract.html``). The run ends with ONE
JSON line of headline numbers.

    .venv/bin/python bench/extraction.py [--data DIR] [--limit N] [--tools a,b] [--check-metric]
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from statistics import mean
from typing import Any

import trafilatura  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "eval-data"
SCRAPINGHUB = "article-extraction-scrapinghub"
TRAFILATURA = "article-extraction-trafilatura"

WARM_UP = 5
Page = tuple[str, str | bytes, str | None]  # (key, html, url)
Tool = Callable[[str | bytes, str | None], str]

_BASE = {"include_comments": False, "include_tables": True, "include_formatting": False}


def _trafilatura(**options: Any) -> Tool:
    def run(html: str | bytes, url: str | None) -> str:
        return trafilatura.extract(html, url=url, **_BASE, **options) or ""

    return run


def _topicwire(repair: bool, full: bool = False) -> Tool:
    def run(html: str | bytes, url: str | None) -> str:
        from topicwire.extract import html as module

        saved = module.FAST_RETRY_BELOW
        if full:  # always trafilatura's full extraction (the fast-first step off)
            module.FAST_RETRY_BELOW = None
        try:
            return module.extract_html(html, url or "", repair=repair).text
        finally:
            module.FAST_RETRY_BELOW = saved

    return run


TOOLS: dict[str, Tool] = {
    "trafilatura-default": _trafilatura(),
    "trafilatura-precision": _trafilatura(favor_precision=True),
    "trafilatura-recall": _trafilatura(favor_recall=True),
    "topicwire": _topicwire(repair=True),
    "topicwire-raw": _topicwire(repair=False),
    "topicwire-full": _topicwire(repair=True, full=True),
}

# ---------------------------------------------------------------- scrapinghub metric

_TOKEN_RE = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)


def _shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN_RE.findall(text or "")
    grams = [tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1))]
    return Counter(g for g in grams if g)


def shingle_counts(gold: str, pred: str) -> tuple[float, float, float]:
    """Per-document (TP, FP, FN) over 4-shingle multisets, normalised to sum to 1."""
    g, p = _shingles(gold), _shingles(pred)
    tp = sum((g & p).values())
    fp = sum((p - g).values())
    fn = sum((g - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _ratio(good: float, bad: float) -> float:
    return 1.0 if bad == 0 else good / (good + bad)


def scrapinghub_scores(golds: list[str], preds: list[str]) -> dict[str, float]:
    """Precision, recall, F1 and exact-match accuracy as the scrapinghub benchmark defines them."""
    counts = [shingle_counts(g, p) for g, p in zip(golds, preds, strict=True)]
    precision = mean([_ratio(tp, fp) for tp, fp, _ in counts if tp + fp > 0] or [0.0])
    recall = mean([_ratio(tp, fn) for tp, _, fn in counts if tp + fn > 0] or [0.0])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    exact = mean(
        _TOKEN_RE.findall(g or "") == _TOKEN_RE.findall(p or "")
        for g, p in zip(golds, preds, strict=True)
    )
    return {"f1": f1, "precision": precision, "recall": recall, "accuracy": exact}


# ---------------------------------------------------------------- trafilatura metric

_WS = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _WS.sub(" ", text).strip()


def segment_scores(annotations: list[dict[str, Any]], preds: list[str | None]) -> dict[str, float]:
    """Micro-averaged with/without segment scores as trafilatura's benchmark defines them."""
    tp = fp = fn = tn = 0
    for rec, pred in zip(annotations, preds, strict=True):
        out = _norm(pred) if pred else None
        for seg in rec["with"]:
            if out is not None and _norm(seg) in out:
                tp += 1
            else:
                fn += 1
        for seg in rec["without"]:
            if out is not None and _norm(seg) in out:
                fp += 1
            else:
                tn += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "f1": f1,
        "precision": precision,
        "recall": recall,
        "accuracy": (tp + tn) / max(1, tp + fp + fn + tn),
    }


# ---------------------------------------------------------------- datasets


def load_scrapinghub(folder: Path, limit: int | None) -> tuple[list[Page], list[str]]:
    gt = json.loads((folder / "ground-truth.json").read_text("utf-8"))
    pages: list[Page] = []
    golds: list[str] = []
    for item_id, rec in sorted(gt.items())[:limit]:
        raw = gzip.decompress((folder / "html" / f"{item_id}.html.gz").read_bytes())
        pages.append((item_id, raw.decode("utf-8"), rec.get("url")))
        golds.append(rec["articleBody"])
    return pages, golds


def load_trafilatura(folder: Path, limit: int | None) -> tuple[list[Page], list[dict[str, Any]]]:
    pages: list[Page] = []
    annotations: list[dict[str, Any]] = []
    with gzip.open(folder / "annotations.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            raw = gzip.decompress((folder / rec["html_path"]).read_bytes())
            url = rec["url"] if rec["url"].startswith("http") else None
            pages.append((rec["url"], raw, url))
            annotations.append(rec)
            if limit is not None and len(pages) >= limit:
                break
    return pages, annotations


def run_tools(
    tools: dict[str, Tool], pages: list[Page]
) -> tuple[dict[str, list[str | None]], dict[str, float]]:
    """Every tool's outputs (None on a crash) and seconds spent.

    Tools take turns page by page (in a rotating order), so a busy machine slows them alike and
    the speed ratios stay fair; the first ``WARM_UP`` pages fill caches and are not timed.
    """
    names = list(tools)
    for _key, html, url in pages[:WARM_UP]:
        for name in names:
            with contextlib.suppress(Exception):
                tools[name](html, url)
    outputs: dict[str, list[str | None]] = {name: [] for name in names}
    seconds = dict.fromkeys(names, 0.0)
    for n, (key, html, url) in enumerate(pages):
        for name in names[n % len(names) :] + names[: n % len(names)]:
            start = time.perf_counter()
            try:
                out: str | None = tools[name](html, url)
            except Exception as exc:  # a crash scores as an empty output
                print(f"  ! {name} {key}: {type(exc).__name__}: {exc}", file=sys.stderr)
                out = None
            seconds[name] += time.perf_counter() - start
            outputs[name].append(out)
    return outputs, seconds


def check_metric(folder: Path) -> None:
    """Reproduce the README's reference scores from the upstream baseline outputs."""
    gt = json.loads((folder / "ground-truth.json").read_text("utf-8"))
    ids = sorted(gt)
    golds = [gt[i]["articleBody"] for i in ids]
    for path in sorted((folder / "baseline-outputs").glob("*.json")):
        out = json.loads(path.read_text("utf-8"))["output"]
        preds = [(out.get(i) or {}).get("articleBody") or "" for i in ids]
        s = scrapinghub_scores(golds, preds)
        print(f"{path.stem:<16} " + "  ".join(f"{k} {v:.3f}" for k, v in s.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="pages per dataset")
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated tool names")
    parser.add_argument("--check-metric", action="store_true", help="score upstream baselines")
    args = parser.parse_args(argv)
    if args.check_metric:
        check_metric(args.data / SCRAPINGHUB)
        return 0
    names = [n for n in args.tools.split(",") if n]
    headline: dict[str, Any] = {}
    datasets = [
        (SCRAPINGHUB, load_scrapinghub, scrapinghub_scores),
        (TRAFILATURA, load_trafilatura, segment_scores),
    ]
    for dataset, loader, scorer in datasets:
        pages, gold = loader(args.data / dataset, args.limit)
        print(f"\n{dataset}: {len(pages)} pages")
        print(f"{'tool':<24}{'F1':>8}{'prec':>8}{'recall':>8}{'acc':>8}{'pages/s':>10}{'speed':>8}")
        rows: dict[str, dict[str, float]] = {}
        outputs, seconds = run_tools({name: TOOLS[name] for name in names}, pages)
        for name in names:
            if scorer is scrapinghub_scores:
                scores = scrapinghub_scores(gold, [o or "" for o in outputs[name]])  # type: ignore[arg-type]
            else:
                scores = segment_scores(gold, outputs[name])  # type: ignore[arg-type]
            scores["pages_per_s"] = len(pages) / seconds[name] if seconds[name] else 0.0
            rows[name] = scores
        base = rows.get("trafilatura-default", {}).get("pages_per_s")
        for name, s in rows.items():
            speed = f"{s['pages_per_s'] / base:.2f}x" if base else "-"
            print(
                f"{name:<24}{s['f1']:>8.3f}{s['precision']:>8.3f}{s['recall']:>8.3f}"
                f"{s['accuracy']:>8.3f}{s['pages_per_s']:>10.1f}{speed:>8}"
            )
        short = "scrapinghub" if dataset == SCRAPINGHUB else "trafilatura"
        for name, s in rows.items():
            headline[f"{short}.{name}.f1"] = round(s["f1"], 4)
        if base and "topicwire" in rows:
            headline[f"{short}.topicwire.speed_ratio"] = round(
                rows["topicwire"]["pages_per_s"] / base, 3
            )
    print(json.dumps(headline, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
