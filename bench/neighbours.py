"""Neighbour index speed: build time, memory, query p50/p99 and recall@10 of hnswlib and usearch.

``--libs vectorindex`` measures topicwire's own ``VectorIndex`` with its defaults (M=16,
ef_construction=200) instead of raw hnswlib at M=16, ef_construction=128; usearch is imported
only when asked for.

Builds an index over N random unit vectors (dim 384, float32, seeded) for each library in turn
(only one index in memory at a time), in batches of ``--batch``, with ``--threads`` build
threads. Queries are 2,000 fresh random unit vectors asked one at a time on one thread (the way
the clusterer asks), k=10; recall@10 is measured on the first 500 against exact brute force
(numpy, in chunks). ``p99`` is wall-clock; ``cpu p99`` is the query thread's CPU time, which
leaves out waits for a core when other processes share the machine. A build that passes
``--budget`` seconds stops early: the row then reports
the size actually built, its query numbers, and the build time extrapolated linearly to N
(marked ``partial``; graph indexes build slightly slower than linearly, so this is a floor).

    .venv/bin/python bench/neighbours.py [--sizes 100000,1000000]
        [--libs hnswlib,vectorindex,usearch] [--ef 64,200] [--threads 2]
        [--budget 900] [--data random|clustered]

Uniform random vectors in 384 dimensions are the worst case for graph indexes: every point is
almost equally far from every other, so "the true 10 nearest" barely differ from the next 100
and recall is far lower than on real embeddings at the same settings. ``--data clustered`` draws
vectors around n/50 random centres instead (cosine about 0.6 within a bunch), a closer stand-in
for sentence embeddings of news.

A table, then ONE JSON line.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import sys
import time
from collections.abc import Iterator
from typing import Any, Protocol

import hnswlib  # type: ignore[import-untyped, unused-ignore]
import numpy as np

from topicwire.cluster.index import VectorIndex

DIM = 384
K = 10
TARGET_P99_MS = 2.0
M = 16  # graph degree, both libraries
EF_CONSTRUCTION = 128  # build-time beam, both libraries
CHUNK = 100_000


class Backend(Protocol):
    """The few operations the bench needs from a library."""

    def add(self, keys: np.ndarray, vectors: np.ndarray) -> None: ...

    def query(self, vector: np.ndarray) -> np.ndarray: ...

    def set_ef(self, ef: int) -> None: ...


class Hnsw:
    """hnswlib, cosine space, resized as batches arrive."""

    def __init__(self, capacity: int, threads: int) -> None:
        self.index = hnswlib.Index(space="cosine", dim=DIM)
        self.index.init_index(max_elements=capacity, ef_construction=EF_CONSTRUCTION, M=M)
        self.threads = threads

    def set_ef(self, ef: int) -> None:
        self.index.set_ef(ef)

    def add(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        self.index.add_items(vectors, keys, num_threads=self.threads)

    def query(self, vector: np.ndarray) -> np.ndarray:
        labels, _ = self.index.knn_query(vector, k=K, num_threads=1)
        return np.asarray(labels[0])


class Vectors:
    """topicwire's own :class:`~topicwire.cluster.index.VectorIndex` with ITS defaults (M,
    ef_construction, query ef, random seed): what the clusterer and the site really use.
    ``--ef`` still sets the query beam (the class default is 200)."""

    def __init__(self, capacity: int, threads: int) -> None:
        self.index = VectorIndex(DIM, capacity=capacity, threads=threads)

    def set_ef(self, ef: int) -> None:
        self.index.ef = ef
        self.index._index.set_ef(ef)  # the bench reaches inside: VectorIndex has no setter

    def add(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        self.index.add(keys.tolist(), vectors)

    def query(self, vector: np.ndarray) -> np.ndarray:
        return np.asarray([key for key, _ in self.index.query(vector, k=K)])


class Usearch:
    """usearch, cosine metric, float32 storage."""

    def __init__(self, capacity: int, threads: int) -> None:
        # imported here: usearch is only needed for this comparison, not by topicwire
        from usearch.index import Index as UsearchIndex  # type: ignore[import-untyped, import-not-found, unused-ignore]

        self.index = UsearchIndex(
            ndim=DIM, metric="cos", dtype="f32", connectivity=M, expansion_add=EF_CONSTRUCTION
        )
        self.capacity = capacity  # usearch grows its own storage as keys arrive
        self.threads = threads

    def set_ef(self, ef: int) -> None:
        self.index.expansion_search = ef  # type: ignore[misc, unused-ignore]  # the setter mypy misses

    def add(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        self.index.add(keys, vectors, threads=self.threads)

    def query(self, vector: np.ndarray) -> np.ndarray:
        return np.asarray(self.index.search(vector, K, threads=1).keys)


BACKENDS: dict[str, type[Hnsw] | type[Vectors] | type[Usearch]] = {
    "hnswlib": Hnsw,
    "vectorindex": Vectors,
    "usearch": Usearch,
}


def unit_vectors(n: int, seed: int, centres: np.ndarray | None = None) -> np.ndarray:
    """``n`` unit vectors, float32, made in chunks so no float64 copy of the whole set.

    Without ``centres`` they are uniform on the sphere. With them, each is a random centre plus
    noise (cosine about 0.78 to its centre, 0.6 to a sibling), closer to how embeddings of news
    about the same events bunch together.
    """
    rng = np.random.default_rng(seed)
    out = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, CHUNK):
        size = min(CHUNK, n - start)
        block = rng.standard_normal((size, DIM), dtype=np.float32)
        if centres is not None:
            block *= np.float32(0.8 / np.sqrt(DIM))
            block += centres[rng.integers(0, len(centres), size)]
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[start : start + len(block)] = block
    return out


def brute_force(data: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Exact top-K row indexes by cosine (inputs are unit vectors), scanning ``data`` in chunks."""
    best_scores = np.full((len(queries), K), -np.inf, dtype=np.float32)
    best_keys = np.zeros((len(queries), K), dtype=np.int64)
    for start in range(0, len(data), CHUNK):
        scores = queries @ data[start : start + CHUNK].T
        top = np.argpartition(-scores, K, axis=1)[:, :K]
        scores_top = np.take_along_axis(scores, top, axis=1)
        all_scores = np.concatenate([best_scores, scores_top], axis=1)
        all_keys = np.concatenate([best_keys, top + start], axis=1)
        keep = np.argsort(-all_scores, axis=1)[:, :K]
        best_scores = np.take_along_axis(all_scores, keep, axis=1)
        best_keys = np.take_along_axis(all_keys, keep, axis=1)
    return best_keys


def rss_mb() -> float:
    """Resident memory of this process in MB (Linux ``/proc``; 0 elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def batches(n: int, size: int) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each batch."""
    for start in range(0, n, size):
        yield start, min(n, start + size)


def run_one(
    lib: str, data: np.ndarray, queries: np.ndarray, truth: np.ndarray, args: argparse.Namespace
) -> list[dict[str, Any]]:
    """Build ``lib`` over ``data`` within the budget; time queries and score recall per ef."""
    n = len(data)
    gc.collect()
    before = rss_mb()
    t0 = time.perf_counter()
    backend: Backend = BACKENDS[lib](n, args.threads)
    built = 0
    for start, end in batches(n, args.batch):
        backend.add(np.arange(start, end, dtype=np.int64), data[start:end])
        built = end
        if time.perf_counter() - t0 > args.budget and built < n:
            break
    build_s = time.perf_counter() - t0
    memory_mb = rss_mb() - before
    partial = built < n
    if partial:  # the truth was for the whole set: recompute it for the part that was built
        truth = brute_force(data[:built], queries[: len(truth)])
    rows = []
    for ef in args.ef:
        backend.set_ef(ef)
        for q in queries[:50]:  # warm caches and the allocator before timing
            backend.query(q)
        latencies = []
        cpu = []
        found = []
        for i, q in enumerate(queries):
            c = time.thread_time()
            t = time.perf_counter()
            keys = backend.query(q)
            latencies.append((time.perf_counter() - t) * 1000)
            cpu.append((time.thread_time() - c) * 1000)
            if i < len(truth):
                found.append(keys)
        recall = float(
            np.mean(
                [
                    len(set(f.tolist()) & set(t.tolist())) / K
                    for f, t in zip(found, truth, strict=True)
                ]
            )
        )
        lat = np.asarray(latencies)
        row: dict[str, Any] = {
            "lib": lib,
            "n": n,
            "built": built,
            "partial": partial,
            "build_s": round(build_s, 1),
            "build_s_full_est": round(build_s * n / built, 1),
            "inserts_per_s": round(built / build_s),
            "memory_mb": round(memory_mb),
            "ef": ef,
            "p50_ms": round(float(np.percentile(lat, 50)), 3),
            "p99_ms": round(float(np.percentile(lat, 99)), 3),
            "cpu_p99_ms": round(float(np.percentile(cpu, 99)), 3),
            "recall_at_10": round(recall, 4),
        }
        row["meets_p99"] = row["p99_ms"] <= TARGET_P99_MS
        rows.append(row)
    del backend
    gc.collect()
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run every size for every library; print the table and the JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--libs", default="hnswlib,vectorindex")
    parser.add_argument("--ef", default="64,200", help="query-time beams (ef / expansion_search)")
    parser.add_argument("--data", choices=["random", "clustered"], default="random")
    parser.add_argument("--threads", type=int, default=2, help="build threads")
    parser.add_argument("--batch", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--recall-queries", type=int, default=500)
    parser.add_argument("--budget", type=float, default=900, help="seconds per build")
    args = parser.parse_args(argv)
    args.ef = [int(e) for e in args.ef.split(",")]
    sizes = [int(s) for s in args.sizes.split(",")]
    libs = args.libs.split(",")
    rows: list[dict[str, Any]] = []
    print(
        f"{'lib':8} {'n':>8} {'built':>8} {'build s':>8} {'est s':>8} {'ins/s':>7} "
        f"{'mem MB':>7} {'ef':>4} {'p50 ms':>7} {'p99 ms':>7} {'cpu p99':>7} {'recall':>7} ok"
    )
    for n in sizes:
        centres = unit_vectors(max(1, n // 50), seed=3) if args.data == "clustered" else None
        data = unit_vectors(n, seed=1, centres=centres)
        queries = unit_vectors(args.queries, seed=2, centres=centres)
        truth = brute_force(data, queries[: args.recall_queries])
        for lib in libs:
            for row in run_one(lib, data, queries, truth, args):
                rows.append(row)
                mark = "yes" if row["meets_p99"] else "no"
                if row["partial"]:
                    mark += " (partial)"
                print(
                    f"{lib:8} {n:>8} {row['built']:>8} {row['build_s']:>8} "
                    f"{row['build_s_full_est']:>8} {row['inserts_per_s']:>7} "
                    f"{row['memory_mb']:>7} {row['ef']:>4} {row['p50_ms']:>7} {row['p99_ms']:>7} "
                    f"{row['cpu_p99_ms']:>7} "
                    f"{row['recall_at_10']:>7} {mark}",
                    flush=True,
                )
        del data, queries, truth
        gc.collect()
    largest = max(sizes)
    meets = sorted(
        {f"{r['lib']}@ef{r['ef']}" for r in rows if r["n"] == largest and r["meets_p99"]}
    )
    summary = {
        "bench": "neighbours",
        "data": args.data,
        "dim": DIM,
        "k": K,
        "M": M,
        "ef_construction": EF_CONSTRUCTION,
        "vectorindex": {"M": VectorIndex().m, "ef_construction": VectorIndex().ef_construction},
        "threads": args.threads,
        "machine": platform.machine(),
        "target_p99_ms": TARGET_P99_MS,
        "meets_at_largest": meets,
        "largest_complete": all(not r["partial"] for r in rows if r["n"] == largest),
        "rows": rows,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
