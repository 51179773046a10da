"""The enrich and score stage for a batch of articles, reading top to bottom.

embedding -> topics (with evidence) -> type and category -> locale -> quality (with signals).
Each article is changed in place and returned; nothing here touches the store or the network.
An article that does not reach the root topic is off-topic and is never published by rule.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

import numpy as np

from topicwire.enrich.embed import Embedder, default_embedder, embedding_text, from_bytes, to_bytes
from topicwire.enrich.kind import classify
from topicwire.enrich.language import choose_locale
from topicwire.enrich.topics import TopicAssigner, TopicThresholds, topic_names
from topicwire.model import Article, Provider, Topic
from topicwire.score.quality import score_quality

log = logging.getLogger(__name__)


class Enricher:
    """Enriches and scores articles for one site (its taxonomy, locale and provider weights)."""

    def __init__(
        self,
        topics: Sequence[Topic],
        *,
        site_locale: str = "en-US",
        thresholds: TopicThresholds | None = None,
        providers: Sequence[Provider] = (),
        embedder: Embedder | None = None,
    ) -> None:
        self._embedder = embedder
        self.site_locale = site_locale
        self.weights: Mapping[str, float] = {
            p.domain: p.weight for p in providers if p.domain and p.weight is not None
        }
        self.assigner = (
            TopicAssigner(
                list(topics), thresholds=thresholds or TopicThresholds(), embedder=self.embedder
            )
            if topics
            else None
        )

    @property
    def embedder(self) -> Embedder:
        """The sentence-embedding model, loaded on first use."""
        if self._embedder is None:
            self._embedder = default_embedder()
        return self._embedder

    @property
    def loaded_embedder(self) -> Embedder | None:
        """The model if it is loaded already (so a later stage can share it), else ``None``."""
        return self._embedder

    def enrich(self, articles: Sequence[Article]) -> list[Article]:
        """Embed, tag, classify, localise and score ``articles`` (in place); return them."""
        if not articles:
            return []
        # embeddings serve topic assignment; without a taxonomy the model is not even loaded
        vectors = self._embeddings(articles) if self.assigner else [None] * len(articles)
        for article, vector in zip(articles, vectors, strict=True):
            self._topics(article, vector)
            decision = classify(article)
            article.type, article.category = decision.type, decision.category
            locale, _ = choose_locale(article, self.site_locale)
            article.locale = locale
            domain = article.provider.domain if article.provider else None
            quality = score_quality(
                article,
                provider_weight=self.weights.get(domain or ""),
                originality=prior_originality(article),
            )
            article.quality = quality.score
            article.quality_signals = [_plain(signal) for signal in quality.signals]
        return list(articles)

    def _embeddings(self, articles: Sequence[Article]) -> list[np.ndarray[Any, Any]]:
        """Each article's embedding: the stored one, else computed now (in one batch)."""
        missing = [a for a in articles if a.embedding is None]
        if missing:
            fresh = self.embedder.encode([embedding_text(a) for a in missing])
            for article, vector in zip(missing, fresh, strict=True):
                article.embedding = to_bytes(vector)
        return [from_bytes(a.embedding or b"") for a in articles]

    def _topics(self, article: Article, vector: np.ndarray[Any, Any] | None) -> None:
        if self.assigner is None:
            return
        assignment = self.assigner.assign(article, vector)
        article.topics = topic_names(assignment)
        article.topic_evidence = {e.topic: e.to_dict() for e in assignment.evidence}
        if assignment.off_topic:
            article.published = False  # off-topic is never published by rule
            log.info("off-topic: %s", article.title)


def prior_originality(article: Article) -> float | None:
    """The originality the stories stage last gave ``article`` (kept when it is scored again)."""
    for signal in article.quality_signals:
        if isinstance(signal, dict) and signal.get("name") == "originality":
            value = signal.get("value")
            return float(value) if isinstance(value, int | float) else None
    return None


def _plain(signal: Any) -> dict[str, Any]:
    """A quality signal as a plain mapping (dataclass or object with ``as_dict``)."""
    if hasattr(signal, "as_dict"):
        return dict(signal.as_dict())
    return asdict(signal)
