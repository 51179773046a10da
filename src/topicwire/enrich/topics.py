"""Topic assignment: keyword evidence checked against context, parents added from children.

For every topic the assigner looks for its keywords (its name, its keywords, an acronym
``shortname``) in the article's title, excerpt and main text (:mod:`topic_match` has the
matching rules). A keyword match alone is not enough; it must be supported by context:

- ``via="keywords"``: at least ``min_distinct_keywords`` different keywords of the topic, or
- ``via="similarity"``: the article's embedding is at least ``min_similarity`` close (cosine) to
  the topic's profile, built from "name. description. keywords" and the embeddings of articles
  confirmed for it (:meth:`TopicAssigner.confirm`); with ``similarity_only`` set, a topic whose
  profile is that close is assigned even without a keyword (zero-shot).

A child topic also needs the root to be supported when the root has keywords: on an AI site
"AI in Healthcare" means AI *and* healthcare, so a hospital story with no AI in it is not filed.
Parents are then added from children (``via="child:<name>"``). An article that does not reach
the root topic is off-topic (:attr:`Assignment.off_topic`) and is never published by rule.
Every assignment keeps its evidence: the keywords with where and how often, and the similarity.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from topicwire.enrich.embed import Embedder, Vector, default_embedder, embedding_text
from topicwire.enrich.topic_match import Hit, KeywordMatcher, main_text
from topicwire.model import Article, Topic

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TopicThresholds:
    """The knobs of topic assignment (defaults measured with ``bench/topics.py``).

    ``min_similarity``: cosine to a child topic's profile that supports a keyword match.
    ``min_root_similarity``: the same for the root topic (its profile is broader).
    ``min_distinct_keywords``: different keywords of one topic that are enough on their own.
    ``min_implied_similarity``: cosine at which a subfield topic found by one keyword shows
    the root on its own ("TensorFlow" in a story about training models).
    ``similarity_only``: cosine that assigns a topic without any keyword (None: never).
    ``use_embeddings``: False gives the keyword-only baseline (no similarity check at all:
    one keyword is enough).
    ``confirmed_weight``: weight of the confirmed articles' centroid against the topic text.
    ``keyword_bonus``: what one distinct keyword adds to the similarity in :meth:`rank`.
    """

    min_similarity: float = 0.30
    min_root_similarity: float = 0.10
    min_distinct_keywords: int = 2
    min_implied_similarity: float = 0.45
    similarity_only: float | None = None
    use_embeddings: bool = True
    confirmed_weight: float = 1.0
    keyword_bonus: float = 0.06


@dataclass(frozen=True)
class KeywordEvidence:
    """One keyword of a topic found in one place of the article."""

    keyword: str
    where: str
    count: int

    def to_dict(self) -> dict[str, Any]:
        """``{"keyword", "where", "count"}``."""
        return {"keyword": self.keyword, "where": self.where, "count": self.count}


@dataclass(frozen=True)
class TopicEvidence:
    """Why a topic was assigned: its keywords, the similarity, and the rule that decided."""

    topic: str
    keywords: list[KeywordEvidence]
    similarity: float | None
    via: str

    def to_dict(self) -> dict[str, Any]:
        """A plain mapping, ready for JSON or YAML."""
        return {
            "topic": self.topic,
            "keywords": [k.to_dict() for k in self.keywords],
            "similarity": None if self.similarity is None else round(self.similarity, 4),
            "via": self.via,
        }


@dataclass(frozen=True)
class Assignment:
    """The topics of one article: names root first, then in taxonomy order, with evidence."""

    topics: list[str]
    evidence: list[TopicEvidence]
    off_topic: bool
    #: every topic's similarity to the article (empty when embeddings were not used)
    similarities: dict[str, float] = field(default_factory=dict)

    def evidence_for(self, topic: str) -> TopicEvidence | None:
        """The evidence of ``topic``, or None when it was not assigned."""
        return next((e for e in self.evidence if e.topic == topic), None)


class _Profile:
    """A topic's matcher and its embedding profile (topic text + confirmed articles)."""

    def __init__(self, topic: Topic) -> None:
        self.topic = topic
        keywords = [topic.name, *topic.keywords]
        shortname = topic.extra.get("shortname")
        if isinstance(shortname, str) and shortname.isupper():
            keywords.append(shortname)
        self.matcher = KeywordMatcher(keywords)
        self.vector: Vector | None = None
        self.confirmed_sum: Vector | None = None
        self.confirmed_count = 0
        self.children: list[str] = []

    def text(self) -> str:
        """What the topic's own vector embeds: "name. description. keywords. subtopics"."""
        parts = [self.topic.name]
        if self.topic.description:
            parts.append(self.topic.description.strip())
        words = [k for k in self.matcher.keywords if k.lower() != self.topic.name.lower()]
        if words:
            parts.append(", ".join(words))
        if self.children:
            parts.append(", ".join(self.children))
        return ". ".join(parts)

    def similarity(self, embedding: Vector, weight: float) -> float:
        """Cosine of ``embedding`` to the profile (topic vector and confirmed centroid)."""
        assert self.vector is not None
        profile = self.vector.astype(np.float64)
        if self.confirmed_sum is not None and self.confirmed_count:
            centroid = self.confirmed_sum.astype(np.float64) / self.confirmed_count
            profile = profile + weight * centroid
        norm = float(np.linalg.norm(profile))
        return float(np.dot(embedding, profile) / norm) if norm else 0.0


class TopicAssigner:
    """Assigns a taxonomy's topics to articles (see the module docstring for the rules)."""

    def __init__(
        self,
        topics: Sequence[Topic],
        *,
        thresholds: TopicThresholds | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.thresholds = thresholds or TopicThresholds()
        self._embedder = embedder
        self._profiles = [_Profile(t) for t in topics]
        self._by_name = {p.topic.name: p for p in self._profiles}
        self._order = {p.topic.name: i for i, p in enumerate(self._profiles)}
        roots = [p.topic.name for p in self._profiles if self._parent(p.topic) is None]
        self.root: str | None = roots[0] if len(roots) == 1 else None
        self._profiles_ready = False
        root_word = re.compile(rf"(?<!\w){re.escape(self.root)}(?!\w)") if self.root else None
        self._intersection_names = frozenset(
            p.topic.name
            for p in self._profiles
            if root_word is not None
            and p.topic.name != self.root
            and root_word.search(p.topic.name)
        )
        for profile in self._profiles:
            profile.children = [
                c.topic.name for c in self._profiles if self._parent(c.topic) == profile.topic.name
            ]

    # -- embeddings -------------------------------------------------------------------------

    @property
    def embedder(self) -> Embedder:
        """The embedder (the process-wide default unless one was given)."""
        if self._embedder is None:
            self._embedder = default_embedder()
        return self._embedder

    def _ensure_profiles(self) -> None:
        if self._profiles_ready:
            return
        vectors = self.embedder.encode_cached([p.text() for p in self._profiles])
        for profile, vector in zip(self._profiles, vectors, strict=True):
            profile.vector = vector
        self._profiles_ready = True

    def confirm(self, topic_name: str, embedding: Vector) -> None:
        """Add an article confirmed for ``topic_name`` to the topic's profile."""
        profile = self._by_name.get(topic_name)
        if profile is None:
            raise KeyError(f"unknown topic {topic_name!r}")
        vector = np.asarray(embedding, dtype=np.float32)
        if profile.confirmed_sum is None:
            profile.confirmed_sum = vector.copy()
        else:
            profile.confirmed_sum = profile.confirmed_sum + vector
        profile.confirmed_count += 1

    def similarities(self, embedding: Vector) -> dict[str, float]:
        """Every topic's similarity to ``embedding``, in taxonomy order."""
        self._ensure_profiles()
        weight = self.thresholds.confirmed_weight
        return {p.topic.name: p.similarity(embedding, weight) for p in self._profiles}

    def rank(self, article: Article, embedding: Vector | None = None) -> list[tuple[str, float]]:
        """Every topic but the root, best first, by similarity plus ``keyword_bonus`` per
        distinct keyword found: the single-label view (one best topic) of the same evidence."""
        if embedding is None:
            embedding = self.embedder.encode([embedding_text(article)])[0]
        sims = self.similarities(embedding)
        places = _places(article)
        bonus = self.thresholds.keyword_bonus
        scores = []
        for profile in self._profiles:
            name = profile.topic.name
            if name == self.root:
                continue
            distinct = len({h.keyword.lower() for h in profile.matcher.find(places)})
            scores.append((name, sims[name] + bonus * distinct))
        return sorted(scores, key=lambda item: -item[1])

    # -- assignment ---------------------------------------------------------------------------

    def assign(self, article: Article, embedding: Vector | None = None) -> Assignment:
        """The topics of ``article``; ``embedding`` is computed when not given (and needed)."""
        if embedding is None and self.thresholds.use_embeddings:
            embedding = self.embedder.encode([embedding_text(article)])[0]
        return self._assign(article, embedding)

    def assign_many(
        self, articles: Sequence[Article], embeddings: Sequence[Vector] | None = None
    ) -> list[Assignment]:
        """:meth:`assign` for many articles, embedding them in batches when not given."""
        vectors: Sequence[Vector | None]
        if embeddings is not None:
            vectors = embeddings
        elif self.thresholds.use_embeddings:
            vectors = list(self.embedder.encode([embedding_text(a) for a in articles]))
        else:
            vectors = [None] * len(articles)
        return [self._assign(a, v) for a, v in zip(articles, vectors, strict=True)]

    def _assign(self, article: Article, embedding: Vector | None) -> Assignment:
        places = _places(article)
        sims = self.similarities(embedding) if embedding is not None else {}
        hits = {p.topic.name: p.matcher.find(places) for p in self._profiles}
        direct: dict[str, TopicEvidence] = {}
        for name, found in hits.items():
            via = self._decide(name, found, sims.get(name))
            if via is not None:
                evidence = [KeywordEvidence(h.keyword, h.where, h.count) for h in found]
                direct[name] = TopicEvidence(name, evidence, sims.get(name), via)
        if self.root is not None and not self._root_supported(direct, hits[self.root]):
            direct = {}
        chosen = self._with_parents(direct, sims)
        names = sorted(chosen, key=self._sort_key)
        off_topic = self.root is not None and self.root not in chosen
        if off_topic:
            log.debug("off-topic: %r", article.title)
        return Assignment(names, [chosen[n] for n in names], off_topic, sims)

    def _decide(self, name: str, hits: list[Hit], similarity: float | None) -> str | None:
        """The rule that assigns topic ``name`` (``keywords``/``similarity``), or None."""
        th = self.thresholds
        distinct = len({h.keyword.lower() for h in hits})
        if not th.use_embeddings:
            return "keywords" if distinct else None
        if distinct >= th.min_distinct_keywords:
            return "keywords"
        if similarity is None:
            return None
        minimum = th.min_root_similarity if name == self.root else th.min_similarity
        if distinct and similarity >= minimum:
            return "similarity"
        if th.similarity_only is not None and similarity >= th.similarity_only:
            return "similarity"
        return None

    def _root_supported(self, direct: dict[str, TopicEvidence], root_hits: list[Hit]) -> bool:
        """Whether the site's subject is there, so the other topics may stand.

        It is when the root has no keywords (a root that only groups its children), when the
        root is assigned itself, when a root keyword is found at all ("A.I." in a hospital
        story) or when a subfield topic (see :attr:`intersections`) is assigned on keyword
        evidence alone (several distinct keywords of "Natural Language Processing").
        """
        assert self.root is not None
        if not self._by_name[self.root].topic.keywords or self.root in direct or root_hits:
            return True
        strong = self.thresholds.min_implied_similarity
        return any(
            name not in self.intersections
            and (evidence.via == "keywords" or (evidence.similarity or 0.0) >= strong)
            for name, evidence in direct.items()
        )

    @property
    def intersections(self) -> frozenset[str]:
        """Topics whose name contains the root's name as a word ("AI in Healthcare",
        "Microsoft AI"): they mean the root *and* something else, so even several of their own
        keywords ("healthcare", "therapy") do not show the root. The other topics
        ("Computer Vision", "TensorFlow") are subfields whose keywords imply the root."""
        return self._intersection_names

    def _with_parents(
        self, direct: dict[str, TopicEvidence], sims: dict[str, float]
    ) -> dict[str, TopicEvidence]:
        chosen = dict(direct)
        for name in direct:
            child = name
            parent = self._parent(self._by_name[child].topic)
            while parent is not None and parent not in chosen:
                chosen[parent] = TopicEvidence(parent, [], sims.get(parent), f"child:{child}")
                child = parent
                parent = self._parent(self._by_name[child].topic)
        return chosen

    def _parent(self, topic: Topic) -> str | None:
        parent = topic.parent
        if parent is None or parent == topic.name or parent not in self._by_name:
            return None
        return parent

    def _sort_key(self, name: str) -> tuple[int, int]:
        return (0 if name == self.root else 1, self._order[name])


def _places(article: Article) -> list[tuple[str, str]]:
    """Where keywords count: the title, the excerpt and the text without its boilerplate."""
    return [
        ("title", article.title or ""),
        ("excerpt", article.excerpt or ""),
        ("text", main_text(article.text)),
    ]


def topic_names(assignment: Assignment) -> list[str]:
    """The record's ``topics`` list for an assignment (root first); empty when off-topic."""
    return [] if assignment.off_topic else list(assignment.topics)
