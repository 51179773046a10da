"""Sentence embeddings: offline, shape, normalisation, determinism, storage round trip."""

from __future__ import annotations

import os

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from topicwire.enrich import embed
from topicwire.enrich.embed import (
    DIMENSIONS,
    MODEL_NAME,
    Embedder,
    default_embedder,
    embedding_text,
    from_bytes,
    to_bytes,
)
from topicwire.model import Article


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The process-wide embedder: the model is loaded once per test session."""
    return default_embedder()


def test_offline_environment_is_set_before_the_model_library() -> None:
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["TRANSFORMERS_OFFLINE"] == "1"
    assert MODEL_NAME == "all-MiniLM-L6-v2"


def test_encode_shape_dtype_and_norm(embedder: Embedder) -> None:
    vectors = embedder.encode(["Chips for AI", "A pop song", "Parliament votes on the budget"])
    assert vectors.shape == (3, DIMENSIONS)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_encode_is_deterministic_and_batch_independent(embedder: Embedder) -> None:
    texts = ["Self-driving cars learn from simulation", "Bank profits rise", "New GPU"]
    first = embedder.encode(texts, batch_size=1)
    second = embedder.encode(texts, batch_size=64)
    assert np.allclose(first, second, atol=1e-5)
    assert np.allclose(embedder.encode_one(texts[0]), first[0], atol=1e-5)


def test_similar_texts_are_closer(embedder: Embedder) -> None:
    a, b, c = embedder.encode(
        ["A neural network recognises faces", "Face recognition software", "Tomato soup recipe"]
    )
    assert float(a @ b) > float(a @ c)


def test_empty_input_and_a_bare_string(embedder: Embedder) -> None:
    assert embedder.encode([]).shape == (0, DIMENSIONS)
    with pytest.raises(TypeError):
        embedder.encode("one text, not a list")


def test_default_embedder_is_cached() -> None:
    assert default_embedder() is default_embedder()


def test_embedding_text_uses_title_excerpt_and_lead() -> None:
    body = "word " * 400
    article = Article(title="Title", excerpt="An excerpt.", text=body)
    text = embedding_text(article)
    assert text.startswith("Title\nAn excerpt.\nword")
    lead = text.split("\n", 2)[2]
    assert len(lead) <= embed.LEAD_CHARS
    assert not lead.endswith("wor")  # cut at a word boundary
    assert embedding_text(Article(title="Only a title")) == "Only a title"


@given(arrays(np.float32, DIMENSIONS, elements=st.floats(-1, 1, width=32)))
def test_bytes_round_trip(vector: npt.NDArray[np.float32]) -> None:
    data = to_bytes(vector)
    assert len(data) == DIMENSIONS * 4
    back = from_bytes(data)
    assert back.dtype == np.float32
    assert np.array_equal(back, vector)


def test_bytes_are_little_endian_float32() -> None:
    assert to_bytes(np.array([1.0], dtype=np.float32)) == b"\x00\x00\x80\x3f"
    assert to_bytes(np.array([1.0], dtype=">f4")) == b"\x00\x00\x80\x3f"


def test_encode_cached_reuses_vectors(embedder: Embedder) -> None:
    texts = ["AI. artificial intelligence", "Sports. games and teams"]
    first = embedder.encode_cached(texts)
    assert np.allclose(first, embedder.encode(texts), atol=1e-5)
    assert embedder.encode_cached(texts[::-1])[0] is not None
    assert np.array_equal(embedder.encode_cached(texts[::-1]), first[::-1])
    assert embedder.encode_cached([]).shape == (0, DIMENSIONS)
