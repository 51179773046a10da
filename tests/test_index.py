"""The neighbour index: recall against brute force, persistence, incremental updates, errors."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from topicwire.cluster.index import VectorIndex
from topicwire.errors import StoreError

DIM = 384


def unit(n: int, seed: int, dim: int = DIM) -> npt.NDArray[np.float32]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, dim)).astype(np.float32)
    out: npt.NDArray[np.float32] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


@pytest.fixture(scope="module")
def data() -> npt.NDArray[np.float32]:
    return unit(2000, seed=1)


@pytest.fixture(scope="module")
def built(data: npt.NDArray[np.float32]) -> VectorIndex:
    index = VectorIndex(DIM, capacity=256)  # starts small: the adds below must grow it
    for start in range(0, len(data), 500):
        index.add(range(start, start + 500), data[start : start + 500])
    return index


def test_recall_against_brute_force(data: npt.NDArray[np.float32], built: VectorIndex) -> None:
    queries = unit(200, seed=2)
    exact = np.argsort(-(queries @ data.T), axis=1)[:, :10]
    hits = 0
    for q, truth in zip(queries, exact, strict=True):
        found = built.query(q, k=10)
        assert len(found) == 10
        hits += len({key for key, _ in found} & set(truth.tolist()))
    assert hits / (10 * len(queries)) >= 0.95
    assert built.capacity >= 2000 and len(built) == 2000


def test_scores_are_cosine_similarities(data: npt.NDArray[np.float32], built: VectorIndex) -> None:
    found = built.query(data[7], k=3)
    assert found[0][0] == 7
    assert found[0][1] == pytest.approx(1.0, abs=1e-5)
    for key, score in found:
        assert score == pytest.approx(float(data[key] @ data[7]), abs=1e-5)
    assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)


def test_save_load_round_trip_and_incremental_add(tmp_path: Path) -> None:
    vectors = unit(300, seed=3)
    path = tmp_path / "site" / "neighbours.idx"
    index = VectorIndex(DIM, path)
    index.add(range(1000, 1300), vectors)
    index.remove(1005)
    assert index.save() == path
    assert not [p for p in path.parent.iterdir() if p.name != path.name]  # no temp files left

    loaded = VectorIndex.load(path)
    assert loaded.keys() == index.keys() and 1005 not in loaded
    q = unit(1, seed=4)[0]
    assert loaded.query(q, k=5) == index.query(q, k=5)

    extra = unit(50, seed=5)
    loaded.add(range(5000, 5050), extra)
    assert loaded.query(extra[3], k=1)[0][0] == 5003
    loaded.save()
    assert len(VectorIndex.load(path)) == 349


def test_remove_and_re_add() -> None:
    vectors = unit(100, seed=6)
    index = VectorIndex(DIM)
    index.add(range(100), vectors)
    index.remove(42)
    assert all(key != 42 for key, _ in index.query(vectors[42], k=10))
    assert len(index) == 99
    with pytest.raises(KeyError):
        index.remove(42)
    index.add([42], vectors[42:43])
    assert index.query(vectors[42], k=1)[0][0] == 42


def test_replace_existing_key() -> None:
    vectors = unit(20, seed=7)
    index = VectorIndex(DIM)
    index.add(range(10), vectors[:10])
    index.add([3], vectors[15:16])
    assert index.query(vectors[15], k=1)[0][0] == 3
    assert len(index) == 10


def test_small_and_empty_indexes() -> None:
    index = VectorIndex(8)
    assert index.query(np.ones(8), k=10) == []
    index.add([1, 2], np.eye(8)[:2])
    assert [k for k, _ in index.query(np.eye(8)[0], k=10)] == [1, 2]


def test_bad_input_is_rejected() -> None:
    index = VectorIndex(8)
    with pytest.raises(ValueError, match="dimension"):
        index.add([1], np.ones((1, 7)))
    with pytest.raises(ValueError, match="keys"):
        index.add([1, 2], np.ones((1, 8)))
    with pytest.raises(ValueError, match="non-negative"):
        index.add([-1], np.ones((1, 8)))
    with pytest.raises(ValueError, match="space"):
        VectorIndex(8, space="hamming")


@pytest.mark.parametrize("damage", ["header", "description", "graph", "truncated"])
def test_corrupt_file_raises_store_error_with_path(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "neighbours.idx"
    index = VectorIndex(16, path)
    index.add(range(30), unit(30, seed=8, dim=16))
    index.save()
    raw = bytearray(path.read_bytes())
    if damage == "header":
        raw[:5] = b"junk!"
    elif damage == "description":
        line = raw.index(b"\n") + 1
        raw[line : line + 2] = b"{{"
    elif damage == "graph":
        raw[-100] ^= 0xFF
    else:
        raw = raw[: len(raw) // 2]
    path.write_bytes(bytes(raw))
    with pytest.raises(StoreError, match=re.escape(str(path))):
        VectorIndex.load(path)


def test_missing_file_raises_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=re.escape("missing.idx")):
        VectorIndex.load(tmp_path / "missing.idx")
