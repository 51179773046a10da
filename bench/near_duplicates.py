"""Near-duplicate bench: precision and recall of "is a copy of" on a synthetic syndication set.

Originals are the article texts of ``story-clusters-basil`` (headline, blank line, body) and
``story-clusters-ecbplus`` (headline when known, then the body) from the DEV splits. For a
seeded random sample of originals long enough to copy (at least ``2 * MIN_WORDS`` words), the
bench makes at run time one copy of each kind:

- ``headline``: the headline rewritten (prefix, suffix, a word dropped or swapped);
- ``boilerplate``: share bars, comment forms, newsletter prompts, copyright and "originally
  published" lines added above and below;
- ``truncated``: the body cut to 50-80% of its words;
- ``paragraph``: one paragraph (a line, for ECB+'s one-sentence-per-line bodies) dropped;
- ``reworded``: 5% of the words swapped with their neighbour.

Every original is indexed first (BASIL with its real date, ECB+ with a fixed one), then the
copies in a shuffled order with later dates, so the right answer for a copy is its original.
Negatives are all the other originals, among them the two other outlets' versions of the same
BASIL story and the other ECB+ articles on the same event (same story, different text).

Scores: a copy is right when ``add`` names its original; a declaration is wrong when it names
anything else, and every original declared a copy is a false positive. Precision and recall
per kind and overall, the same-group pair P/R, the original pairs linked (with their
similarity, to tell real syndication in the source data from errors), and a sweep over the two
thresholds on the gold pairs and the hard negatives.

    .venv/bin/python bench/near_duplicates.py [--data DIR] [--sample N] [--seed S]
        [--threshold J] [--containment C]

Readable tables, then ONE JSON line of headline numbers.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from topicwire.cluster.dedup import (
    CONTAINMENT_THRESHOLD,
    JACCARD_THRESHOLD,
    MIN_WORDS,
    NUMBER_AGREEMENT,
    NearDuplicateIndex,
    containment_of,
    minhash_of,
    shingles,
    words,
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "eval-data"
KINDS = ("headline", "boilerplate", "truncated", "paragraph", "reworded")
ECB_DATE = datetime(2012, 1, 1, tzinfo=UTC)

BOILERPLATE_TOP = [
    "Advertisement",
    "Share this:",
    "Share on Facebook",
    "Tweet",
    "Subscribe to our newsletter",
    "Follow us on Twitter for the latest news",
]
BOILERPLATE_BOTTOM = [
    "Share this:",
    "Leave a Reply",
    "Your email address will not be published. Required fields are marked *",
    "Save my name, email, and website in this browser for the next time I comment.",
    "Sign up for our daily newsletter",
    "Related: More stories from our newsroom",
    "Copyright 2024 The Wire Service. All rights reserved.",
    "This article was originally published by a partner site and is republished here.",
    "Read more: the latest headlines from around the country",
]
HEADLINE_PREFIXES = ["BREAKING: ", "UPDATE: ", "WATCH: ", "Report: ", ""]
HEADLINE_SUFFIXES = [" | Daily Wire Digest", " - Wire Report", " (UPDATED)", " - News Today", ""]


@dataclass(frozen=True)
class Original:
    """An article of the eval data: key, headline (may be empty), body, date, story."""

    key: str
    headline: str
    body: str
    published_at: datetime
    story: str
    topic: str

    @property
    def text(self) -> str:
        return f"{self.headline}\n\n{self.body}" if self.headline else self.body


@dataclass(frozen=True)
class Copy:
    """A generated copy of ``original`` of one kind."""

    key: str
    original: str
    kind: str
    text: str
    published_at: datetime


def load_originals(data: Path) -> list[Original]:
    """The BASIL and ECB+ DEV articles."""
    found: list[Original] = []
    with gzip.open(data / "story-clusters-basil" / "docs.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            found.append(
                Original(
                    key=f"basil:{doc['doc_id']}",
                    headline=(doc.get("title") or "").strip(),
                    body=doc["text"],
                    published_at=datetime.fromisoformat(doc["date"]).replace(tzinfo=UTC),
                    story=f"basil:{doc['story_id']}",
                    topic=f"basil:{doc['story_id']}",
                )
            )
    with gzip.open(data / "story-clusters-ecbplus" / "docs.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            found.append(
                Original(
                    key=f"ecb:{doc['doc_id']}",
                    headline=(doc.get("title") or "").strip(),
                    body=doc["text"],
                    published_at=ECB_DATE,
                    story=f"ecb:{doc['cluster_id']}",
                    topic=f"ecb:{doc['topic']}",
                )
            )
    return found


# ---------------------------------------------------------------- the copies


def _paragraphs(body: str) -> list[str]:
    blocks = [b for b in body.split("\n\n") if b.strip()]
    return blocks if len(blocks) > 2 else [line for line in body.splitlines() if line.strip()]


def edit_headline(original: Original, rng: random.Random) -> str:
    """The headline rewritten; ECB docs without one get a headline from the lead's words."""
    title = original.headline or " ".join(original.body.split()[:10])
    tokens = title.split()
    if len(tokens) > 4:
        del tokens[rng.randrange(1, len(tokens))]
        i = rng.randrange(len(tokens) - 1)
        tokens[i], tokens[i + 1] = tokens[i + 1], tokens[i]
    headline = rng.choice(HEADLINE_PREFIXES) + " ".join(tokens) + rng.choice(HEADLINE_SUFFIXES)
    return f"{headline}\n\n{original.body}"


def add_boilerplate(original: Original, rng: random.Random) -> str:
    """Share bars and comment forms above and below, as a syndicating site adds them."""
    top = rng.sample(BOILERPLATE_TOP, rng.randint(1, 2))
    bottom = rng.sample(BOILERPLATE_BOTTOM, rng.randint(2, 5))
    return "\n".join([*top, original.text, *bottom])


def truncate(original: Original, rng: random.Random) -> str:
    """The headline and the first 50-80% of the body's words (paragraph breaks kept)."""
    keep = int(len(original.body.split()) * rng.uniform(0.5, 0.8))
    out: list[str] = []
    for line in original.body.split("\n"):
        line_words = line.split()
        if keep <= 0:
            break
        out.append(" ".join(line_words[:keep]))
        keep -= len(line_words)
    body = "\n".join(out).rstrip() + " ..."
    return f"{original.headline}\n\n{body}" if original.headline else body


def drop_paragraph(original: Original, rng: random.Random) -> str:
    """One paragraph (not the first) removed."""
    blocks = _paragraphs(original.body)
    if len(blocks) > 1:
        del blocks[rng.randrange(1, len(blocks))]
    joiner = "\n\n" if "\n\n" in original.body else "\n"
    body = joiner.join(blocks)
    return f"{original.headline}\n\n{body}" if original.headline else body


def reword(original: Original, rng: random.Random, rate: float = 0.05) -> str:
    """5% of the words swapped with the next word of their line."""
    lines = [line.split(" ") for line in original.text.split("\n")]
    positions = [(i, j) for i, line in enumerate(lines) for j in range(len(line) - 1)]
    for i, j in rng.sample(positions, int(len(positions) * rate)):
        lines[i][j], lines[i][j + 1] = lines[i][j + 1], lines[i][j]
    return "\n".join(" ".join(line) for line in lines)


EDITS = {
    "headline": edit_headline,
    "boilerplate": add_boilerplate,
    "truncated": truncate,
    "paragraph": drop_paragraph,
    "reworded": reword,
}


def make_copies(originals: list[Original], sample: int, seed: int) -> list[Copy]:
    """One copy of each kind for a seeded sample of the originals long enough to copy."""
    rng = random.Random(seed)
    long_enough = [o for o in originals if len(words(o.body)) >= 2 * MIN_WORDS]
    chosen = sorted(rng.sample(long_enough, min(sample, len(long_enough))), key=lambda o: o.key)
    copies: list[Copy] = []
    for original in chosen:
        for n, kind in enumerate(KINDS, start=1):
            copies.append(
                Copy(
                    key=f"copy:{kind}:{original.key}",
                    original=original.key,
                    kind=kind,
                    text=EDITS[kind](original, rng),
                    published_at=original.published_at + timedelta(hours=n),
                )
            )
    rng.shuffle(copies)
    return copies


# ---------------------------------------------------------------- scoring


def _pr(correct: int, declared: int, expected: int) -> tuple[float, float]:
    precision = correct / declared if declared else 1.0
    recall = correct / expected if expected else 1.0
    return precision, recall


def run_index(
    originals: list[Original], copies: list[Copy], threshold: float, containment: float
) -> dict[str, Any]:
    """Index originals then copies; per-kind and overall P/R plus the original pairs linked."""
    index = NearDuplicateIndex(threshold=threshold, containment=containment)
    started = time.perf_counter()
    original_declared: dict[str, str] = {}
    for original in originals:
        canonical = index.add(original.key, original.text, published_at=original.published_at)
        if canonical is not None:
            original_declared[original.key] = canonical
    declared: dict[str, str | None] = {}
    for copy in copies:
        declared[copy.key] = index.add(copy.key, copy.text, published_at=copy.published_at)
    elapsed = time.perf_counter() - started

    rows: dict[str, dict[str, Any]] = {}
    totals = Counter[str]()
    for kind in KINDS:
        of_kind = [c for c in copies if c.kind == kind]
        correct = sum(declared[c.key] == c.original for c in of_kind)
        in_group = sum(declared[c.key] == index.canonical_of(c.original) for c in of_kind)
        named = sum(declared[c.key] is not None for c in of_kind)
        precision, recall = _pr(correct, named, len(of_kind))
        group_p, group_r = _pr(in_group, named, len(of_kind))
        rows[kind] = {
            "n": len(of_kind),
            "precision": precision,
            "recall": recall,
            "group_precision": group_p,
            "group_recall": group_r,
        }
        totals.update(correct=correct, in_group=in_group, declared=named, expected=len(of_kind))
    totals.update(declared=len(original_declared))
    precision, recall = _pr(totals["correct"], totals["declared"], totals["expected"])
    group_p, group_r = _pr(totals["in_group"], totals["declared"], totals["expected"])
    rows["overall"] = {
        "n": totals["expected"],
        "precision": precision,
        "recall": recall,
        "group_precision": group_p,
        "group_recall": group_r,
    }

    # same-group pairs against the gold groups (an original and its copies)
    gold_group = {o.key: o.key for o in originals} | {c.key: c.original for c in copies}
    predicted_pairs = {
        pair for group in index.groups() for pair in itertools.combinations(sorted(group), 2)
    }
    gold_pairs = 0
    members: dict[str, list[str]] = defaultdict(list)
    for key, group_key in gold_group.items():
        members[group_key].append(key)
    for group in members.values():
        gold_pairs += len(group) * (len(group) - 1) // 2
    right_pairs = sum(gold_group[a] == gold_group[b] for a, b in predicted_pairs)
    pair_p, pair_r = _pr(right_pairs, len(predicted_pairs), gold_pairs)

    by_key = {o.key: o for o in originals}
    linked: list[dict[str, Any]] = []
    for a, b in sorted(predicted_pairs):
        if a in by_key and b in by_key:
            match = index.compare(a, b)
            kind = (
                "same story"
                if by_key[a].story == by_key[b].story
                else "same topic"
                if by_key[a].topic == by_key[b].topic
                else "unrelated"
            )
            linked.append(
                {
                    "a": a,
                    "b": b,
                    "relation": kind,
                    "jaccard": round(match.jaccard, 3),
                    "containment": round(match.containment, 3),
                }
            )
    return {
        "rows": rows,
        "pairs": {"precision": pair_p, "recall": pair_r, "predicted": len(predicted_pairs)},
        "originals_declared": len(original_declared),
        "original_pairs_linked": linked,
        "seconds": elapsed,
        "misses": [
            (c.kind, c.original, declared[c.key]) for c in copies if declared[c.key] != c.original
        ],
    }


def sweep(originals: list[Original], copies: list[Copy]) -> list[dict[str, Any]]:
    """Recall on the gold pairs and false links among hard negatives for a grid of thresholds.

    Hard negatives: every pair of originals of the same BASIL story or the same ECB+ topic.
    """
    sets = {o.key: shingles(o.text) for o in originals} | {c.key: shingles(c.text) for c in copies}
    sigs = {key: minhash_of(items) for key, items in sets.items()}
    sizes = {o.key: len(words(o.text)) for o in originals} | {
        c.key: len(words(c.text)) for c in copies
    }

    def score(a: str, b: str) -> tuple[float, float]:
        return float(sigs[a].jaccard(sigs[b])), containment_of(sets[a], sets[b])

    gold = [(c.kind, score(c.key, c.original)) for c in copies]
    by_topic: dict[str, list[str]] = defaultdict(list)
    for o in originals:
        if sizes[o.key] >= MIN_WORDS:
            by_topic[o.topic].append(o.key)
    negatives = [
        score(a, b) for keys in by_topic.values() for a, b in itertools.combinations(keys, 2)
    ]
    rows = []
    for jaccard in (0.5, 0.6, 0.7, 0.8):
        for contained in (0.6, 0.7, 0.8, 0.9):
            row: dict[str, Any] = {"jaccard": jaccard, "containment": contained}
            for kind in KINDS:
                scores = [s for k, s in gold if k == kind]
                row[kind] = sum(j >= jaccard or c >= contained for j, c in scores) / len(scores)
            row["hard_negative_links"] = sum(j >= jaccard or c >= contained for j, c in negatives)
            row["hard_negatives"] = len(negatives)
            rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sample", type=int, default=200, help="originals to copy")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--threshold", type=float, default=JACCARD_THRESHOLD)
    parser.add_argument("--containment", type=float, default=CONTAINMENT_THRESHOLD)
    parser.add_argument("--no-sweep", action="store_true")
    args = parser.parse_args(argv)

    originals = load_originals(args.data)
    copies = make_copies(originals, args.sample, args.seed)
    print(
        f"{len(originals)} originals ({sum(o.key.startswith('basil') for o in originals)} BASIL),"
        f" {len(copies)} copies of {len(copies) // len(KINDS)} originals, seed {args.seed};"
        f" threshold Jaccard {args.threshold}, containment {args.containment},"
        f" figures agreement {NUMBER_AGREEMENT}, min {MIN_WORDS} words"
    )
    result = run_index(originals, copies, args.threshold, args.containment)
    print(f"\nindexed in {result['seconds']:.1f}s\n")
    print("strict: the copy names its own original; group: it names the canonical of its")
    print("original's group (the original itself linked to a near-identical original)\n")
    print(f"{'kind':<12} {'n':>5} {'precision':>10} {'recall':>8} {'group P':>8} {'group R':>8}")
    for kind, row in result["rows"].items():
        print(
            f"{kind:<12} {row['n']:>5} {row['precision']:>10.3f} {row['recall']:>8.3f}"
            f" {row['group_precision']:>8.3f} {row['group_recall']:>8.3f}"
        )
    pairs = result["pairs"]
    print(
        f"\nsame-group pairs: precision {pairs['precision']:.3f} recall {pairs['recall']:.3f}"
        f" ({pairs['predicted']} predicted)"
    )
    print(f"originals declared copies of another article: {result['originals_declared']}")
    linked = result["original_pairs_linked"]
    print(f"original pairs linked: {len(linked)}")
    for pair in linked:
        print(
            f"  {pair['a']} ~ {pair['b']} ({pair['relation']}):"
            f" J {pair['jaccard']}, containment {pair['containment']}"
        )
    if result["misses"]:
        print("copies not attributed to their original:")
        for kind, original, named in result["misses"][:20]:
            print(f"  {kind:<12} {original} -> {named}")

    if not args.no_sweep:
        print(
            "\nsweep on shingle evidence alone, before the figures veto"
            " (recall per kind on the gold pairs; links among hard negatives)"
        )
        header = f"{'J':>4} {'C':>4} " + " ".join(f"{k[:10]:>10}" for k in KINDS)
        print(header + f" {'hard-neg links':>15}")
        for row in sweep(originals, copies):
            cells = " ".join(f"{row[k]:>10.3f}" for k in KINDS)
            print(
                f"{row['jaccard']:>4} {row['containment']:>4} {cells}"
                f" {row['hard_negative_links']:>6}/{row['hard_negatives']}"
            )

    headline = {
        "bench": "near_duplicates",
        "threshold": args.threshold,
        "containment": args.containment,
        "min_words": MIN_WORDS,
        "number_agreement": NUMBER_AGREEMENT,
        "copies": len(copies),
        "precision": round(result["rows"]["overall"]["precision"], 4),
        "recall": round(result["rows"]["overall"]["recall"], 4),
        "per_kind": {
            k: {key: round(v[key], 4) for key in ("precision", "recall", "group_recall")}
            for k, v in result["rows"].items()
            if k != "overall"
        },
        "group_precision": round(result["rows"]["overall"]["group_precision"], 4),
        "group_recall": round(result["rows"]["overall"]["group_recall"], 4),
        "pair_precision": round(pairs["precision"], 4),
        "pair_recall": round(pairs["recall"], 4),
        "original_pairs_linked": len(linked),
    }
    print(json.dumps(headline, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
