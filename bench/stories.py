"""Story clustering bench: B-cubed quality on ECB+ and BASIL, and throughput.

Quality: ``topicwire.cluster.stories.StoryClusterer`` with its DEFAULT config on the DEV splits
of ``story-clusters-ecbplus`` (two different events per topic: hard negatives) and
``story-clusters-basil`` (one story, three outlets), against baselines in the same run:

- one story per article; one story per ECB+ topic (ECB+ only; the oracle of "same topic, same
  story", which the hard negatives defeat);
- single-link TF-IDF: a document joins the story of ANY earlier document with TF-IDF cosine
  >= 0.30 (fixed, not tuned; sklearn ``TfidfVectorizer`` with English stop words, sublinear tf);
- for reference only: offline complete-link agglomerative clustering (TF-IDF and MiniLM) with
  the distance threshold TUNED on the very data it is scored on (an upper-bound-ish oracle).

Articles are fed in publication order where dates exist (BASIL), else in file order (ECB+).
Embeddings (all-MiniLM-L6-v2 of title + ~600-character lead) are cached in a temp file keyed
by a hash of the embedded text, so reruns skip the model.

Throughput: 100,000 synthetic items (seeded random unit embeddings in stories of five, short
synthetic titles and texts, one article a minute; see :func:`synthetic`) through the default
clusterer: articles per second, and the share of items placed with their synthetic story.

    .venv/bin/python bench/stories.py [--data DIR] [--items N] [--parts quality,speed]
        [--no-reference]

Readable tables (with ``ratio``: topicwire's F1 over each row's), then ONE JSON line of
headline numbers. ``tests/test_quality_gates.py`` runs :func:`score_dataset` without the
references against floors in ``bench/floors.json``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from topicwire.cluster.stories import ClusterConfig, StoryClusterer, StoryItem

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "eval-data"
CACHE = Path(tempfile.gettempdir()) / "topicwire-bench-stories-embeddings.npz"
LEAD_CHARS = 600
SINGLE_LINK_TFIDF = 0.30

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Doc:
    """One evaluation article."""

    key: str
    title: str
    text: str
    gold: str
    topic: str
    date: datetime | None
    provider: str | None


# ---------------------------------------------------------------- data


def _read(path: Path) -> list[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_ecbplus(data: Path) -> list[Doc]:
    """ECB+ DEV in file order; ECB documents have no title, their first line stands in."""
    docs = []
    for row in _read(data / "story-clusters-ecbplus" / "docs.jsonl.gz"):
        title, text = row.get("title"), row["text"]
        if not title:
            title, _, text = text.partition("\n")
        docs.append(
            Doc(row["doc_id"], title, text, row["cluster_id"], str(row["topic"]), None, None)
        )
    return docs


def load_basil(data: Path) -> list[Doc]:
    """BASIL DEV in publication order (file order breaks ties)."""
    docs = [
        Doc(
            row["doc_id"],
            row.get("title") or "",
            row["text"],
            row["story_id"],
            row["story_id"],
            datetime.fromisoformat(row["date"]).replace(tzinfo=UTC) if row.get("date") else None,
            row.get("source"),
        )
        for row in _read(data / "story-clusters-basil" / "docs.jsonl.gz")
    ]
    order = sorted(
        range(len(docs)), key=lambda i: (docs[i].date or datetime.min.replace(tzinfo=UTC), i)
    )
    return [docs[i] for i in order]


def embed_text(doc: Doc) -> str:
    """Title and lead, as ``topicwire.enrich.embed.embedding_text`` builds them."""
    lead = doc.text.strip()[:LEAD_CHARS]
    if len(doc.text.strip()) > LEAD_CHARS and " " in lead:
        lead = lead.rsplit(" ", 1)[0]
    return f"{doc.title.strip()}\n{lead}"


def embeddings(docs: Sequence[Doc]) -> Vector:
    """MiniLM embeddings of the docs, through the on-disk cache."""
    texts = [embed_text(d) for d in docs]
    hashes = [hashlib.sha256(t.encode()).hexdigest() for t in texts]
    cache: dict[str, Vector] = {}
    if CACHE.exists():
        with np.load(CACHE) as stored:
            cache = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
    missing = [i for i, h in enumerate(hashes) if h not in cache]
    if missing:
        from topicwire.enrich.embed import default_embedder

        vectors = default_embedder().encode([texts[i] for i in missing])
        cache.update((hashes[i], v) for i, v in zip(missing, vectors, strict=True))
        np.savez(CACHE, keys=np.array(list(cache)), vectors=np.stack(list(cache.values())))
    return np.stack([cache[h] for h in hashes]).astype(np.float32)


# ---------------------------------------------------------------- metrics and systems


def bcubed(gold: Sequence[Any], predicted: Sequence[Any]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a predicted clustering against gold labels."""
    n = len(gold)
    if not n:
        return 0.0, 0.0, 0.0
    both = Counter(zip(gold, predicted, strict=True))
    gold_sizes = Counter(gold)
    pred_sizes = Counter(predicted)
    # every item of a (gold, predicted) cell shares the cell's count with its own cluster
    precision = sum(c * c / pred_sizes[p] for (_, p), c in both.items()) / n
    recall = sum(c * c / gold_sizes[g] for (g, _), c in both.items()) / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def run_online(docs: Sequence[Doc], vectors: Vector, config: ClusterConfig) -> list[int]:
    """Story ids from the online clusterer, docs fed in the given order."""
    clusterer = StoryClusterer(config)
    for doc, vector in zip(docs, vectors, strict=True):
        clusterer.add(StoryItem(doc.key, doc.title, doc.text, vector, doc.date, doc.provider))
    return [clusterer.story_of(d.key) for d in docs]


def tfidf_matrix(docs: Sequence[Doc]) -> Any:
    """L2-normalised TF-IDF rows of title + text."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=1)
    return vectorizer.fit_transform([f"{d.title}\n{d.text}" for d in docs])


def single_link_tfidf(docs: Sequence[Doc]) -> list[int]:
    """Online single link: join the story of the most similar earlier doc if cosine >= 0.30."""
    sims = (tfidf_matrix(docs) @ tfidf_matrix(docs).T).toarray()
    labels: list[int] = []
    for i in range(len(docs)):
        j = int(np.argmax(sims[i, :i])) if i else -1
        labels.append(labels[j] if i and sims[i, j] >= SINGLE_LINK_TFIDF else i)
    return labels


def tuned_complete_link(features: Any, gold: Sequence[str]) -> tuple[float, float, float, float]:
    """Offline complete-link agglomerative clustering, cosine threshold tuned on ``gold``."""
    from sklearn.cluster import AgglomerativeClustering

    dense = features.toarray() if hasattr(features, "toarray") else np.asarray(features)
    best = (0.0, 0.0, 0.0, 0.0)
    for threshold in np.arange(0.30, 1.00, 0.02):
        model = AgglomerativeClustering(
            n_clusters=None, metric="cosine", linkage="complete", distance_threshold=threshold
        )
        scores = bcubed(gold, model.fit_predict(dense).tolist())
        if scores[2] > best[2]:
            best = (*scores, float(threshold))
    return best


# ---------------------------------------------------------------- parts


LOADERS = {"ecbplus": load_ecbplus, "basil": load_basil}


def score_dataset(
    name: str, data: Path, config: ClusterConfig, *, reference: bool = True
) -> dict[str, Any]:
    """B-cubed of the online clusterer and the baselines on one dataset, in one run.

    Returns ``rows`` (label -> (P, R, F1); the first is topicwire), ``online`` (its P/R/F1),
    ``docs``, ``stories`` and ``seconds`` (embedding, online clustering, baselines). The tuned
    complete-link references (slow: a threshold sweep) only run with ``reference``.
    """
    docs = LOADERS[name](data)
    gold = [d.gold for d in docs]
    start = time.perf_counter()
    vectors = embeddings(docs)
    embed_s = time.perf_counter() - start
    start = time.perf_counter()
    online = bcubed(gold, run_online(docs, vectors, config))
    online_s = time.perf_counter() - start
    start = time.perf_counter()
    rows: dict[str, tuple[float, ...]] = {ONLINE: online}
    rows["one story per article"] = bcubed(gold, [d.key for d in docs])
    if name == "ecbplus":
        rows["one story per ECB+ topic"] = bcubed(gold, [d.topic for d in docs])
    rows[f"single-link TF-IDF >= {SINGLE_LINK_TFIDF}"] = bcubed(gold, single_link_tfidf(docs))
    baselines_s = time.perf_counter() - start
    if reference:
        for label, feats in (("TF-IDF", tfidf_matrix(docs)), ("MiniLM", vectors)):
            *scores, threshold = tuned_complete_link(feats, gold)
            rows[f"ref: complete-link {label}, tuned (d<={threshold:.2f})"] = tuple(scores)
    return {
        "rows": rows,
        "online": online,
        "docs": len(docs),
        "stories": len(set(gold)),
        "seconds": {
            "embed": round(embed_s, 2),
            "online": round(online_s, 2),
            "baselines": round(baselines_s, 2),
        },
    }


ONLINE = "topicwire online (default config)"


def quality(data: Path, config: ClusterConfig, *, reference: bool = True) -> dict[str, Any]:
    """The quality tables, with topicwire's F1 as a ratio of each system's; the headline numbers.

    ``ratio`` is topicwire's B-cubed F1 divided by the row's (above 1: topicwire is better).
    """
    out: dict[str, Any] = {}
    for name in LOADERS:
        result = score_dataset(name, data, config, reference=reference)
        rows, online, seconds = result["rows"], result["online"], result["seconds"]
        print(
            f"\n{name}: {result['docs']} articles, {result['stories']} gold stories; "
            f"embedding {seconds['embed']:.1f} s, online clustering {seconds['online']:.2f} s, "
            f"baselines {seconds['baselines']:.2f} s"
        )
        print(f"  {'system':<46} {'P':>6} {'R':>6} {'F1':>6} {'ratio':>6}")
        for label, (p, r, f) in rows.items():
            ratio = f"{online[2] / f:6.2f}" if f else "     -"
            print(f"  {label:<46} {p:6.3f} {r:6.3f} {f:6.3f} {ratio}")
        out[name] = {
            "p": round(online[0], 4),
            "r": round(online[1], 4),
            "f1": round(online[2], 4),
            "vs": {
                label: {"f1": round(f, 4), "ratio": round(online[2] / f, 3) if f else None}
                for label, (_, _, f) in rows.items()
                if label != ONLINE
            },
            "seconds": seconds,
        }
    return out


_WORD_TEXT = (
    "storm quake vote court bank match strike fire flood rally trial deal talks crash probe "
    "minister council market budget league police harbour airport summit border"
)
_PLACE_TEXT = "Lisbon Oslo Lima Accra Hanoi Perth Quito Riga Dakar Kyoto Bern Tunis"
_WORDS = _WORD_TEXT.split()
_PLACES = _PLACE_TEXT.split()


def synthetic(n: int, seed: int = 7, per_story: int = 5) -> tuple[list[StoryItem], list[int]]:
    """``n`` synthetic items in stories of ``per_story``: seeded random unit story centres, each
    item its centre plus as much random noise (member-to-centre cosine ~0.78, between members
    ~0.6), short titles and texts sharing the story's words and place; one item a minute, the
    stories' items interleaved within blocks of 100 items."""
    rng = np.random.default_rng(seed)
    stories = (n + per_story - 1) // per_story
    centres = rng.standard_normal((stories, 384)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    order = np.arange(n) // per_story
    for block in range(0, n, 100):
        rng.shuffle(order[block : block + 100])
    noise = rng.standard_normal((n, 384)).astype(np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    vectors = centres[order] + 0.8 * noise
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    items = []
    for i, story in enumerate(order.tolist()):
        words = [_WORDS[(story * 7 + k) % len(_WORDS)] for k in range(3)]
        place = _PLACES[story % len(_PLACES)]
        title = f"{words[0].title()} in {place} as {words[1]} {story % 1000} {i % 3}"
        text = f"{title}. The {words[2]} continued in {place} on {i % 28 + 1} March."
        items.append(StoryItem(f"s{i}", title, text, vectors[i], start + timedelta(minutes=i)))
    return items, order.tolist()


def speed(n: int) -> dict[str, Any]:
    """Articles per second for ``n`` synthetic items with precomputed embeddings."""
    items, gold = synthetic(n)
    clusterer = StoryClusterer()
    start, cpu_start = time.perf_counter(), time.process_time()
    for item in items:
        clusterer.add(item)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    rate = n / elapsed
    f1 = bcubed(gold, [clusterer.story_of(item.key) for item in items])[2]
    print(
        f"\nthroughput: {n} items in {elapsed:.1f} s = {rate:,.0f} articles/s "
        f"(CPU {cpu:.1f} s = {n / cpu:,.0f} articles per CPU-second) "
        f"({len(clusterer.stories())} stories for {len(set(gold))} synthetic; B-cubed F1 {f1:.3f})"
    )
    return {
        "items": n,
        "seconds": round(elapsed, 2),
        "articles_per_s": round(rate),
        "cpu_seconds": round(cpu, 2),
        "articles_per_cpu_s": round(n / cpu),
        "synthetic_f1": round(f1, 4),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the requested parts and print one final JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--parts", default="quality,speed")
    parser.add_argument(
        "--no-reference",
        action="store_true",
        help="skip the tuned complete-link references (the slow part of quality)",
    )
    args = parser.parse_args(argv)
    parts = set(args.parts.split(","))
    result: dict[str, Any] = {"bench": "stories"}
    if "quality" in parts:
        result.update(quality(args.data, ClusterConfig(), reference=not args.no_reference))
    if "speed" in parts:
        result["throughput"] = speed(args.items)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
