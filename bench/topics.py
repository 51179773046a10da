"""Topic assignment bench: false-positive patterns, hand-labelled reference records, AG News.

Three parts, all with ``topicwire.enrich.topics.TopicAssigner`` and all-MiniLM-L6-v2 (offline):

1. ``patterns``: our own short articles for the reference site's known false positives (and
   true positives), ``bench/labels/topic_patterns.yaml``, with the reference taxonomy. A false
   positive is a topic assigned that is neither expected nor allowed; a miss is an expected
   topic not assigned. The goal is zero of both.
2. ``reference``: title + excerpt of the reference site's news records and of the items in their
   ``related`` lists, against hand labels (``bench/labels/reference_topics.yaml``), with the
   reference taxonomy. Micro precision/recall over (item, topic) pairs, with and without the
   root; the reference site's own topics (news records only: related items carry none) are
   scored on the same labels beside ours.
3. ``agnews``: zero-shot on the AG News DEV split with a four-topic taxonomy we wrote
   (``bench/taxonomies/agnews``): ``TopicAssigner.rank`` (profile similarity plus a bonus per
   distinct keyword, the best topic is the prediction) against a keyword-only baseline (the same
   assigner with embeddings off; the topic with the most keyword hits, none counts as wrong),
   the nearest topic profile alone, and the assigner with 25 items per topic confirmed into
   the profiles (scored on the other items).

    .venv/bin/python bench/topics.py [--data DIR] [--reference DIR] [--parts a,b] [--limit N]

Readable tables, then ONE JSON line of headline numbers.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from topicwire.enrich.embed import default_embedder, embedding_text
from topicwire.enrich.topics import Assignment, TopicAssigner, TopicThresholds
from topicwire.model import Article
from topicwire.record import read_record
from topicwire.taxonomy import load_topics

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "eval-data"
DEFAULT_REFERENCE = ROOT.parent / "shared" / "reference" / "everyday-ai"
LABELS = ROOT / "bench" / "labels"
AGNEWS_TAXONOMY = ROOT / "bench" / "taxonomies" / "agnews"
AGNEWS = "news-category-agnews-test"


# ---------------------------------------------------------------- part 1: patterns


def load_patterns(path: Path = LABELS / "topic_patterns.yaml") -> list[dict[str, Any]]:
    """The hand-written pattern cases (id, pattern, title, excerpt, text, topics, allowed)."""
    cases: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return cases


def pattern_article(case: dict[str, Any]) -> Article:
    """The :class:`Article` of one pattern case."""
    return Article(title=case["title"], excerpt=case.get("excerpt"), text=case.get("text"))


def score_patterns(
    cases: Sequence[dict[str, Any]], results: Sequence[Assignment]
) -> list[dict[str, Any]]:
    """Per case: expected, assigned, false positives and misses."""
    rows = []
    for case, result in zip(cases, results, strict=True):
        expected = set(case.get("topics") or [])
        allowed = expected | set(case.get("allowed") or [])
        got = set(result.topics)
        rows.append(
            {
                "id": case["id"],
                "expected": sorted(expected),
                "got": result.topics,
                "false_positives": sorted(got - allowed),
                "misses": sorted(expected - got),
            }
        )
    return rows


def run_patterns(assigner: TopicAssigner) -> dict[str, Any]:
    cases = load_patterns()
    rows = score_patterns(cases, assigner.assign_many([pattern_article(c) for c in cases]))
    print("\n## False-positive patterns (reference taxonomy, our own articles)\n")
    print(f"| {'case':<26} | {'expected':<34} | {'assigned':<44} | ok |")
    print(f"|{'-' * 28}|{'-' * 36}|{'-' * 46}|----|")
    for row in rows:
        ok = "yes" if not row["false_positives"] and not row["misses"] else "NO"
        exp = ", ".join(row["expected"]) or "(off-topic)"
        got = ", ".join(row["got"]) or "(off-topic)"
        print(f"| {row['id']:<26} | {exp:<34} | {got:<44} | {ok:<2} |")
    fps = sum(len(r["false_positives"]) for r in rows)
    misses = sum(len(r["misses"]) for r in rows)
    print(f"\n{len(rows)} cases: {fps} false positives, {misses} missed topics")
    return {"cases": len(rows), "false_positives": fps, "misses": misses}


# ---------------------------------------------------------------- part 2: reference records


def reference_items(reference: Path, labels: dict[str, Any]) -> list[dict[str, Any]]:
    """Labelled items of the reference site: key, kind, article, label set, site's topics."""
    news = labels.get("news") or {}
    related = labels.get("related") or {}
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    paths = sorted((reference / "_news").glob("*.md")) + sorted(
        (reference / "_archive" / "_news").glob("*.md")
    )
    for path in paths:
        record = read_record(path)
        article: Article = getattr(record, "article", record)
        if path.name in news:
            items.append(
                {
                    "key": path.name,
                    "kind": "news",
                    "article": Article(title=article.title, excerpt=article.excerpt),
                    "labels": set(news[path.name] or []),
                    "site": set(article.topics),
                }
            )
        for item in article.related:
            url = item.web_url or ""
            if url in related and url not in seen:
                seen.add(url)
                items.append(
                    {
                        "key": url,
                        "kind": "related",
                        "article": Article(title=item.title, excerpt=item.excerpt),
                        "labels": set(related[url] or []),
                        "site": None,
                    }
                )
    return items


def pair_scores(
    predicted: Sequence[set[str]], gold: Sequence[set[str]], skip: str | None = None
) -> dict[str, float]:
    """Micro precision / recall / F1 over (item, topic) pairs (``skip``: a topic left out)."""
    tp = fp = fn = 0
    for pred, true in zip(predicted, gold, strict=True):
        p = pred - {skip} if skip else pred
        t = true - {skip} if skip else true
        tp += len(p & t)
        fp += len(p - t)
        fn += len(t - p)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def off_topic_accuracy(predicted: Sequence[set[str]], gold: Sequence[set[str]]) -> float:
    """Share of items whose on/off-topic call (any topic at all) agrees with the labels."""
    agree = sum(bool(p) == bool(g) for p, g in zip(predicted, gold, strict=True))
    return agree / len(gold) if gold else 1.0


def run_reference(assigner: TopicAssigner, reference: Path, verbose: bool) -> dict[str, Any]:
    labels = yaml.safe_load((LABELS / "reference_topics.yaml").read_text(encoding="utf-8"))
    items = reference_items(reference, labels)
    results = assigner.assign_many([i["article"] for i in items])
    ours = [set(r.topics) for r in results]
    gold = [i["labels"] for i in items]
    news = [k for k, i in enumerate(items) if i["kind"] == "news"]
    site = [items[k]["site"] for k in news]
    root = assigner.root
    rows = [
        ("topicwire", "all", pair_scores(ours, gold), off_topic_accuracy(ours, gold)),
        ("topicwire", "all, root left out", pair_scores(ours, gold, root), None),
        (
            "topicwire",
            "news records",
            pair_scores([ours[k] for k in news], [gold[k] for k in news]),
            off_topic_accuracy([ours[k] for k in news], [gold[k] for k in news]),
        ),
        (
            "reference site",
            "news records",
            pair_scores(site, [gold[k] for k in news]),
            off_topic_accuracy(site, [gold[k] for k in news]),
        ),
        (
            "topicwire",
            "news, root left out",
            pair_scores([ours[k] for k in news], [gold[k] for k in news], root),
            None,
        ),
        (
            "reference site",
            "news, root left out",
            pair_scores(site, [gold[k] for k in news], root),
            None,
        ),
    ]
    n_news, n_rel = len(news), len(items) - len(news)
    print(f"\n## Reference records: {n_news} news + {n_rel} related items, hand labels\n")
    print("| who | items | precision | recall | F1 | TP | FP | FN | on/off-topic acc |")
    print("|---|---|---|---|---|---|---|---|---|")
    for who, subset, s, acc in rows:
        acc_text = f"{acc:.3f}" if acc is not None else ""
        print(
            f"| {who} | {subset} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} "
            f"| {s['tp']} | {s['fp']} | {s['fn']} | {acc_text} |"
        )
    if verbose:
        print("\nDisagreements (ours vs labels):")
        for item, got in zip(items, ours, strict=True):
            if got != item["labels"]:
                extra, missing = sorted(got - item["labels"]), sorted(item["labels"] - got)
                print(f"  {item['key'][:90]}\n     +{extra} -{missing}")
    return {
        "items": len(items),
        "precision": rows[0][2]["precision"],
        "recall": rows[0][2]["recall"],
        "precision_no_root": rows[1][2]["precision"],
        "news_precision": rows[2][2]["precision"],
        "site_news_precision": rows[3][2]["precision"],
        "news_precision_no_root": rows[4][2]["precision"],
        "site_news_precision_no_root": rows[5][2]["precision"],
        "off_topic_accuracy": rows[0][3],
    }


# ---------------------------------------------------------------- part 3: AG News


def agnews_rows(data: Path, limit: int | None) -> list[dict[str, Any]]:
    """The DEV split's rows (``limit``: the first N of each label, in file order)."""
    path = data / AGNEWS / "agnews_test.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    if limit:
        per_label: Counter[str] = Counter()
        kept = []
        for row in rows:
            if per_label[row["label_name"]] < limit // 4:
                per_label[row["label_name"]] += 1
                kept.append(row)
        rows = kept
    return rows


def _clean(text: str) -> str:
    """Upstream quirks: ``#36;`` entities, HTML entities, backslashes as line breaks."""
    text = re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), text)
    return html.unescape(text).replace("\\", " ")


def _keyword_best(result: Assignment, root: str | None) -> str | None:
    """The baseline's pick: the assigned topic with the most keyword hits (None: no keyword)."""
    counts = {e.topic: sum(k.count for k in e.keywords) for e in result.evidence if e.topic != root}
    return max(counts, key=lambda n: counts[n]) if counts else None


def _accuracy(preds: Sequence[str | None], gold: Sequence[str]) -> float:
    return float(np.mean([p == g for p, g in zip(preds, gold, strict=True)])) if gold else 0.0


def run_agnews(data: Path, limit: int | None, confirmed: int) -> dict[str, Any]:
    topics = load_topics(AGNEWS_TAXONOMY)
    rows = agnews_rows(data, limit)
    articles = [Article(title=_clean(r["title"]), excerpt=_clean(r["description"])) for r in rows]
    gold = [r["label_name"] for r in rows]
    started = time.perf_counter()
    vectors = default_embedder().encode([embedding_text(a) for a in articles])
    embed_seconds = time.perf_counter() - started

    assigner = TopicAssigner(topics)
    baseline = TopicAssigner(topics, thresholds=TopicThresholds(use_embeddings=False))
    root = assigner.root
    preds: dict[str, list[str | None]] = {
        "topicwire": [],
        "nearest profile": [],
        "keyword-only": [],
    }
    for article, vector in zip(articles, vectors, strict=True):
        preds["topicwire"].append(assigner.rank(article, vector)[0][0])
        sims = {n: s for n, s in assigner.similarities(vector).items() if n != root}
        preds["nearest profile"].append(max(sims, key=lambda n: sims[n]))
        preds["keyword-only"].append(_keyword_best(baseline.assign(article), root))

    # few-shot: confirm the first `confirmed` items of each label, score on the others
    few = TopicAssigner(topics)
    taken: Counter[str] = Counter()
    rest: list[int] = []
    for k, label in enumerate(gold):
        if taken[label] < confirmed:
            few.confirm(label, vectors[k])
            taken[label] += 1
        else:
            rest.append(k)
    few_preds: list[str | None] = [few.rank(articles[k], vectors[k])[0][0] for k in rest]

    labels = sorted(set(gold))
    print(f"\n## AG News zero-shot (DEV split, {len(rows)} items, our 4-topic taxonomy)\n")
    print("| method | items | accuracy | no topic | " + " | ".join(labels) + " |")
    print("|---|---|---|---|" + "---|" * len(labels))
    out: dict[str, Any] = {"items": len(rows), "embed_seconds": round(embed_seconds, 1)}
    table = [(m, p, gold) for m, p in preds.items()]
    table.append((f"topicwire + {confirmed} confirmed/topic", few_preds, [gold[k] for k in rest]))
    for method, pred, truth in table:
        acc = _accuracy(pred, truth)
        none = sum(p is None for p in pred) / len(pred)
        per = []
        for label in labels:
            idx = [k for k, g in enumerate(truth) if g == label]
            per.append(f"{_accuracy([pred[k] for k in idx], [truth[k] for k in idx]):.3f}")
        print(f"| {method} | {len(pred)} | {acc:.3f} | {none:.3f} | " + " | ".join(per) + " |")
        out[method.split(" +")[0] if "+" not in method else "few_shot"] = round(acc, 4)
    return out


# ---------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--parts", default="patterns,reference,agnews")
    parser.add_argument("--limit", type=int, default=2000, help="AG News items (0: all)")
    parser.add_argument("--confirmed", type=int, default=25, help="AG News few-shot items")
    parser.add_argument("--min-similarity", type=float, default=None)
    parser.add_argument("--min-root-similarity", type=float, default=None)
    parser.add_argument("-v", "--verbose", action="store_true", help="list disagreements")
    args = parser.parse_args(argv)
    parts = set(args.parts.split(","))
    thresholds = TopicThresholds()
    if args.min_similarity is not None:
        thresholds = replace(thresholds, min_similarity=args.min_similarity)
    if args.min_root_similarity is not None:
        thresholds = replace(thresholds, min_root_similarity=args.min_root_similarity)
    summary: dict[str, Any] = {"thresholds": thresholds.__dict__}
    if parts & {"patterns", "reference"}:
        assigner = TopicAssigner(
            load_topics(args.reference / "_data" / "topics"), thresholds=thresholds
        )
        if "patterns" in parts:
            summary["patterns"] = run_patterns(assigner)
        if "reference" in parts:
            summary["reference"] = run_reference(assigner, args.reference, args.verbose)
    if "agnews" in parts:
        summary["agnews"] = run_agnews(args.data, args.limit or None, args.confirmed)
    print()
    print(json.dumps(summary, sort_keys=True, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
