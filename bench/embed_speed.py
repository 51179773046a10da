"""Embedding speed: sentences per second of all-MiniLM-L6-v2 on this machine's CPU.

Texts are AG News DEV items: title + description (about 240 characters, shorter than the
title + excerpt + lead topicwire embeds), or ``--titles`` alone (about 40 characters), from
``--data`` (default ``../shared/eval-data`` beside the checkout). ``--threads``
sets torch's thread count (2 by default: the cores the engine gets). fp32 is what topicwire
uses; ``--int8`` also measures torch's dynamic int8 quantisation of the Linear layers and its
mean cosine to the fp32 vectors (a candidate, not used by topicwire).

    .venv/bin/python bench/embed_speed.py [--data DIR] [--n 512] [--threads 2] [--int8]

A table, then ONE JSON line.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from topicwire.enrich.embed import Embedder

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "eval-data"
AGNEWS = "news-category-agnews-test"


def load_texts(data: Path, n: int, titles: bool = False) -> list[str]:
    """The first ``n`` AG News DEV texts (title. description), or their titles alone."""
    with gzip.open(data / AGNEWS / "agnews_test.jsonl.gz", "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for _, line in zip(range(n), handle, strict=False)]
    if titles:
        return [r["title"] for r in rows]
    return [f"{r['title']}. {r['description']}" for r in rows]


def measure(embedder: Embedder, texts: Sequence[str], batch_size: int) -> tuple[float, Any]:
    """Sentences per second (after one warm-up batch) and the vectors."""
    embedder.encode(texts[:batch_size], batch_size=batch_size)
    started = time.perf_counter()
    vectors = embedder.encode(texts, batch_size=batch_size)
    return len(texts) / (time.perf_counter() - started), vectors


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--n", type=int, default=512)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--int8", action="store_true")
    parser.add_argument("--titles", action="store_true", help="short texts: titles only")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    texts = load_texts(args.data, args.n, args.titles)
    fp32 = Embedder()
    rate, vectors = measure(fp32, texts, args.batch_size)
    rows: list[tuple[str, float, float | None]] = [("fp32", rate, None)]
    if args.int8:
        int8 = Embedder()
        int8._model = torch.ao.quantization.quantize_dynamic(  # type: ignore[no-untyped-call]
            fp32.model, {torch.nn.Linear}, dtype=torch.qint8
        )
        rate8, vectors8 = measure(int8, texts, args.batch_size)
        mean_cosine = float(np.mean(np.sum(vectors * vectors8, axis=1)))
        rows.append(("int8 dynamic", rate8, mean_cosine))

    chars = sum(map(len, texts)) / max(1, len(texts))
    print(
        f"\n## all-MiniLM-L6-v2, {len(texts)} texts of {chars:.0f} chars, {args.threads} threads\n"
    )
    print("| precision | sentences/s | mean cosine to fp32 |")
    print("|---|---|---|")
    for name, value, cosine in rows:
        print(f"| {name} | {value:.1f} | {'' if cosine is None else f'{cosine:.4f}'} |")
    summary: dict[str, Any] = {
        "texts": len(texts),
        "mean_chars": round(sum(map(len, texts)) / max(1, len(texts))),
        "threads": args.threads,
        "fp32_sentences_per_s": round(rate, 1),
    }
    if len(rows) > 1:
        summary["int8_sentences_per_s"] = round(rows[1][1], 1)
        summary["int8_mean_cosine"] = round(rows[1][2] or 0.0, 4)
    print()
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
