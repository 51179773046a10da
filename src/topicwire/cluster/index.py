"""The neighbour index: approximate nearest neighbours over article embeddings, kept with the site.

:class:`VectorIndex` wraps an hnswlib HNSW graph (chosen over usearch by measurement in
``bench/neighbours.py``; see "Why hnswlib" below). Keys are the caller's non-negative integers
(article ids); hnswlib stores them as its labels, so the key mapping is the identity and no side
table can drift from the graph.

- :meth:`VectorIndex.add` inserts or replaces vectors, growing the graph when it is full;
- :meth:`VectorIndex.remove` marks a key deleted (it stops being returned; its slot is reused
  when the key is added again);
- :meth:`VectorIndex.query` returns ``(key, cosine similarity)`` pairs, best first;
- :meth:`VectorIndex.save` / :meth:`VectorIndex.load` persist the index as ONE file, written to
  a temporary file beside it and renamed into place, so a crash never leaves half an index. The
  file is a header line, a JSON description (dimension, space, live and deleted keys, SHA-256 of
  the graph) and hnswlib's own bytes; anything that does not check out raises
  :class:`~topicwire.errors.StoreError` naming the file.

Why hnswlib: measured by ``bench/neighbours.py`` on this 2-core machine (dim 384, M=16,
ef_construction=128, k=10, one query at a time), hnswlib built about 3x faster than usearch
(1,935 vs 622 inserts/s at 100k) and answered faster (p99 0.37 vs 5.0 ms at 100k, ef=64;
0.47 ms at 600k, 1.2 ms at ef=200), with the same recall. It also supports mark-deleted and
resize natively. The default query beam here is ef=200 (recall >= 0.95 on the hard uniform
random test set of 2,000 vectors). Uniform random vectors in 384 dimensions are the worst case
for any graph index: there, recall@10 falls with size (0.57 at 20k, 0.08 at 350k, measured
2026-11-22), while sentence embeddings, which cluster by subject, are far easier; the stories
stage only asks for a few dozen neighbours above a similarity floor.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

import hnswlib  # type: ignore[import-untyped, unused-ignore]
import numpy as np
import numpy.typing as npt

from topicwire.errors import StoreError

log = logging.getLogger(__name__)

MAGIC = b"topicwire-vector-index 1\n"
SPACES = ("cosine", "ip", "l2")
_COPY = 1 << 20


class VectorIndex:
    """An in-process HNSW index from integer keys to ``dim``-dimensional float vectors.

    ``space`` is ``"cosine"`` (default; :meth:`query` scores are cosine similarities),
    ``"ip"`` (inner product) or ``"l2"`` (scores are negated squared distances, so higher is
    still better). ``m`` and ``ef_construction`` shape the graph; ``ef`` is the query beam
    (raised to ``k`` when a query asks for more). ``threads`` is used for batch inserts.
    """

    def __init__(
        self,
        dim: int = 384,
        path: Path | None = None,
        space: str = "cosine",
        *,
        capacity: int = 1024,
        m: int = 16,
        ef_construction: int = 200,
        ef: int = 200,
        threads: int = 1,
    ) -> None:
        if dim <= 0:
            raise ValueError(f"dim must be positive, got {dim}")
        if space not in SPACES:
            raise ValueError(f"space must be one of {', '.join(SPACES)}, got {space!r}")
        self.dim = dim
        self.path = path
        self.space = space
        self.m = m
        self.ef_construction = ef_construction
        self.ef = ef
        self.threads = threads
        self._keys: set[int] = set()
        self._deleted: set[int] = set()
        self._index: Any = hnswlib.Index(space=space, dim=dim)
        self._index.init_index(
            max_elements=max(1, capacity), ef_construction=ef_construction, M=m, random_seed=100
        )
        self._index.set_ef(ef)

    def __len__(self) -> int:
        """The number of live (not removed) keys."""
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    @property
    def capacity(self) -> int:
        """Slots allocated in the graph (live + deleted + free); grows by doubling."""
        return int(self._index.get_max_elements())

    def keys(self) -> list[int]:
        """The live keys, sorted."""
        return sorted(self._keys)

    def add(self, keys: Sequence[int], vectors: npt.ArrayLike) -> None:
        """Insert ``vectors`` (one row per key) under ``keys``; an existing key is replaced.

        A removed key may be added again. The graph grows (doubling) when it would overflow.
        """
        matrix = self._matrix(vectors)
        labels = np.asarray(list(keys), dtype=np.int64)
        if labels.ndim != 1 or len(labels) != len(matrix):
            raise ValueError(f"{len(labels)} keys for {len(matrix)} vectors")
        if len(labels) == 0:
            return
        if (labels < 0).any():
            raise ValueError("keys must be non-negative integers")
        if len(np.unique(labels)) != len(labels):
            raise ValueError("keys must be distinct within one add()")
        new = [int(k) for k in labels if int(k) not in self._keys and int(k) not in self._deleted]
        needed = int(self._index.get_current_count()) + len(new)
        if needed > self.capacity:
            grown = max(needed, 2 * self.capacity)
            log.debug("growing neighbour index from %d to %d slots", self.capacity, grown)
            self._index.resize_index(grown)
        revived = [int(k) for k in labels if int(k) in self._deleted]
        for key in revived:
            self._index.unmark_deleted(key)
        self._index.add_items(matrix, labels.astype(np.uint64), num_threads=self.threads)
        self._deleted.difference_update(revived)
        self._keys.update(int(k) for k in labels)

    def remove(self, key: int) -> None:
        """Mark ``key`` deleted so :meth:`query` no longer returns it; KeyError if unknown."""
        if key not in self._keys:
            raise KeyError(key)
        self._index.mark_deleted(key)
        self._keys.discard(key)
        self._deleted.add(key)

    def query(self, vector: npt.ArrayLike, k: int = 10) -> list[tuple[int, float]]:
        """The ``k`` nearest live keys to ``vector`` as ``(key, score)``, best first.

        For the cosine space the score is the cosine similarity (1.0 for the same direction).
        Fewer than ``k`` pairs come back when the index holds fewer live keys.
        """
        if k <= 0:
            raise ValueError(f"k must be positive, got {k}")
        row = self._matrix(vector)
        if len(row) != 1:
            raise ValueError("query() takes one vector")
        return self.nearest(row, k)

    def nearest(self, row: npt.NDArray[np.float32], k: int) -> list[tuple[int, float]]:
        """:meth:`query` without the checks, for callers that pass a ``(1, dim)`` float32 array
        of finite values they made themselves (the clusterer asks once per article)."""
        k = min(k, len(self._keys))
        if k == 0:
            return []
        widened = k > self.ef
        if widened:
            self._index.set_ef(k)
        try:
            labels, distances = self._index.knn_query(row, k=k, num_threads=1)
        except RuntimeError:
            # Too many deleted neighbours to fill k: ask again with a wide beam.
            widened = True
            self._index.set_ef(max(self.ef, 4 * k, 200))
            labels, distances = self._index.knn_query(row, k=k, num_threads=1)
        finally:
            if widened:
                self._index.set_ef(self.ef)
        keys: list[int] = labels[0].tolist()
        found: list[float] = distances[0].tolist()
        if self.space == "l2":
            return [(key, -d) for key, d in zip(keys, found, strict=True)]
        return [(key, 1.0 - d) for key, d in zip(keys, found, strict=True)]

    def add_one(self, key: int, row: npt.NDArray[np.float32]) -> None:
        """:meth:`add` of one new key without the checks: ``row`` is a ``(1, dim)`` float32
        array of finite values and ``key`` a non-negative integer not in the index."""
        if self._index.get_current_count() >= self.capacity:
            self._index.resize_index(2 * self.capacity)
        self._index.add_items(row, [key], num_threads=1)
        self._keys.add(key)

    def save(self, path: Path | None = None) -> Path:
        """Write the index to ``path`` (or the path it was made or loaded with), atomically."""
        target = path or self.path
        if target is None:
            raise ValueError("no path to save the neighbour index to")
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".index-") as scratch:
            graph = Path(scratch) / "graph.bin"
            self._index.save_index(str(graph))
            digest = _sha256(graph)
            meta = {
                "dim": self.dim,
                "space": self.space,
                "m": self.m,
                "ef_construction": self.ef_construction,
                "ef": self.ef,
                "capacity": self.capacity,
                "keys": sorted(self._keys),
                "deleted": sorted(self._deleted),
                "graph_bytes": graph.stat().st_size,
                "graph_sha256": digest,
            }
            staged = Path(scratch) / "index.tmp"
            with staged.open("wb") as out, graph.open("rb") as src:
                out.write(MAGIC)
                out.write(json.dumps(meta, separators=(",", ":")).encode("utf-8") + b"\n")
                _copy(src, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(staged, target)
        self.path = target
        return target

    @classmethod
    def load(cls, path: Path, *, threads: int = 1) -> VectorIndex:
        """Read an index written by :meth:`save`; a corrupt or foreign file raises StoreError."""
        path = Path(path)
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise StoreError(f"{path}: cannot open neighbour index: {exc}") from exc
        with handle, tempfile.TemporaryDirectory(dir=path.parent, prefix=".index-") as scratch:
            if handle.readline() != MAGIC:
                raise StoreError(f"{path}: not a topicwire neighbour index (bad header)")
            try:
                meta = json.loads(handle.readline().decode("utf-8"))
                dim, space = int(meta["dim"]), str(meta["space"])
                keys = [int(k) for k in meta["keys"]]
                deleted = [int(k) for k in meta["deleted"]]
                size, digest = int(meta["graph_bytes"]), str(meta["graph_sha256"])
            except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
                raise StoreError(f"{path}: corrupt neighbour index description: {exc}") from exc
            graph = Path(scratch) / "graph.bin"
            with graph.open("wb") as out:
                _copy(handle, out)
            if graph.stat().st_size != size or _sha256(graph) != digest:
                raise StoreError(f"{path}: corrupt neighbour index (graph checksum mismatch)")
            index = cls(
                dim,
                path,
                space,
                capacity=1,
                m=int(meta.get("m", 16)),
                ef_construction=int(meta.get("ef_construction", 200)),
                ef=int(meta.get("ef", 200)),
                threads=threads,
            )
            try:
                index._index.load_index(str(graph), max_elements=int(meta["capacity"]))
            except (RuntimeError, ValueError) as exc:
                raise StoreError(f"{path}: hnswlib cannot read the neighbour index: {exc}") from exc
        index._index.set_ef(index.ef)
        index._keys = set(keys)
        index._deleted = set(deleted)
        return index

    def _matrix(self, vectors: npt.ArrayLike) -> npt.NDArray[np.float32]:
        matrix = np.asarray(vectors, dtype=np.float32)
        if matrix.ndim == 1:
            matrix = matrix.reshape(1, -1)
        if matrix.ndim != 2 or (len(matrix) and matrix.shape[1] != self.dim):
            raise ValueError(f"expected vectors of dimension {self.dim}, got shape {matrix.shape}")
        if not np.isfinite(matrix).all():
            raise ValueError("vectors must be finite")
        return matrix


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_COPY), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy(src: IO[bytes], dst: IO[bytes]) -> None:
    for block in _blocks(src):
        dst.write(block)


def _blocks(src: IO[bytes]) -> Iterable[bytes]:
    yield from iter(lambda: src.read(_COPY), b"")
