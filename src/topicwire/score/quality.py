"""Article quality: an integer 0-100 and the signals that produced it, each with its reason.

The score starts at :data:`BASE` and adds one bounded contribution per signal (see
``docs/quality.md`` for the weights and why):

- substance: ``length``, ``paragraphs``, ``facts`` (numbers, named sources, quotes);
- integrity: ``repairs`` the ingest stage made, ``defects`` it would still fix, ``boilerplate``
  left in the text;
- filler and SEO: ``filler`` phrases, ``faq`` blocks, ``keyword-stuffing``, ``listicle``;
- ``headline``: clickbait probability of the title;
- metadata: ``date``, ``author``, ``image``;
- ``provider``: the provider registry's weight (neutral when unknown);
- ``originality``: filled in by the stories stage (neutral when unknown).

The result does not depend on the order of repairs, images or metadata, and is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from topicwire.extract.repair import repair_text
from topicwire.model import Article
from topicwire.score.clickbait import clickbait_probability
from topicwire.score.textsignals import (
    STUFFING_DENSITY,
    TextParts,
    count_facts,
    faq_pairs,
    find_filler,
    listicle,
    split_text,
    stuffed_terms,
)

#: where every article starts
BASE = 50.0

#: penalty per repair, by kind (a mis-decoded text says more about the source than a stray space)
REPAIR_COST: dict[str, float] = {
    "boilerplate": 1.5,
    "caption": 1.0,
    "date-swap": 1.0,
    "glued-words": 1.0,
    "mojibake": 2.0,
    "repeated-heading": 1.5,
    "stray-space": 0.5,
}
#: penalty for a repair kind not listed above
REPAIR_COST_DEFAULT = 1.0
REPAIR_CAP = 12.0
#: a defect still in the text costs this many times what its repair costs (fixing never hurts)
DEFECT_FACTOR = 2.0
DEFECT_CAP = 24.0
#: repair kinds that are leftover boilerplate, counted by the ``boilerplate`` signal instead
BOILERPLATE_KINDS = frozenset({"boilerplate", "caption"})
BOILERPLATE_COST = 4.0
BOILERPLATE_CAP = 16.0
FILLER_COST = 4.0
FILLER_CAP = 20.0
FAQ_PENALTY = 10.0
#: keyword stuffing costs STUFFING_MIN at the density threshold, growing to STUFFING_MAX at
#: twice the threshold (names in a real report often sit just above it)
STUFFING_MIN = 3.0
STUFFING_MAX = 8.0
HEADLINE_BEST = 5.0
HEADLINE_WORST = -15.0
METADATA_PRESENT = 3.0
METADATA_MISSING = -3.0
IMAGE_PRESENT = 2.0
IMAGE_MISSING = -2.0
PROVIDER_SCALE = 20.0
PROVIDER_CAP = 10.0
ORIGINAL_BONUS = 5.0
REHASH_PENALTY = -20.0

#: (fewer than this many words, contribution), first match wins; longer texts get LENGTH_LONG
LENGTH_STEPS: tuple[tuple[int, float], ...] = ((60, -15.0), (120, -6.0), (250, 3.0), (450, 7.0))
LENGTH_LONG = 10.0


@dataclass(frozen=True)
class QualitySignal:
    """One signal: what was measured (``value``), what it added to the score and why."""

    name: str
    value: float | None
    contribution: float
    reason: str


@dataclass(frozen=True)
class Quality:
    """The score (0-100) and every signal behind it, in a fixed order."""

    score: int
    signals: list[QualitySignal] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping: ``{"score": .., "signals": [{name, value, contribution,
        reason}, ..]}``."""
        return {"score": self.score, "signals": [asdict(s) for s in self.signals]}

    def signal(self, name: str) -> QualitySignal | None:
        """The signal called ``name``, if present."""
        return next((s for s in self.signals if s.name == name), None)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _substance(parts: TextParts) -> list[QualitySignal]:
    words = len(parts.words)
    length = next((c for limit, c in LENGTH_STEPS if words < limit), LENGTH_LONG)
    paragraphs = len(parts.blocks)
    para = 2.0 if paragraphs >= 4 else (0.0 if paragraphs >= 2 else -3.0)
    facts = count_facts(parts)
    points = min(facts.numbers, 5) * 1.5 + min(facts.sources, 3) * 2.0 + min(facts.quotes, 2) * 3.0
    fact_contribution = min(points, 15.0) if points else -5.0
    found = [
        _plural(facts.numbers, "number"),
        _plural(facts.sources, "attribution"),
        _plural(facts.quotes, "quote"),
    ]
    return [
        QualitySignal("length", words, length, f"{_plural(words, 'word')} of article text"),
        QualitySignal(
            "paragraphs",
            paragraphs,
            para,
            f"{_plural(words, 'word')} in {_plural(paragraphs, 'paragraph')}",
        ),
        QualitySignal(
            "facts",
            facts.numbers + facts.sources + facts.quotes,
            fact_contribution,
            ("concrete facts: " if points else "no concrete facts: ") + ", ".join(found),
        ),
    ]


def _repair_cost(repairs: dict[str, int]) -> tuple[int, float, str]:
    """Total count, cost and a "2 glued-words, 1 caption" detail of ``repairs``."""
    counts = {kind: n for kind, n in sorted(repairs.items()) if n > 0}
    cost = sum(REPAIR_COST.get(kind, REPAIR_COST_DEFAULT) * n for kind, n in counts.items())
    detail = ", ".join(f"{n} {kind}" for kind, n in counts.items())
    return sum(counts.values()), cost, detail


def _integrity(article: Article, parts: TextParts, leftover: dict[str, int]) -> list[QualitySignal]:
    total, cost, detail = _repair_cost(article.repairs)
    repair_reason = f"{_plural(total, 'repair')}: {detail}" if total else "no repairs needed"
    defects = {k: n for k, n in leftover.items() if k not in BOILERPLATE_KINDS}
    found, defect_cost, defect_detail = _repair_cost(defects)
    left = parts.boilerplate_lines + sum(n for k, n in leftover.items() if k in BOILERPLATE_KINDS)
    return [
        QualitySignal("repairs", total, -min(cost, REPAIR_CAP), repair_reason),
        QualitySignal(
            "defects",
            found,
            -min(defect_cost * DEFECT_FACTOR, DEFECT_CAP),
            f"{_plural(found, 'defect')} left unrepaired: {defect_detail}"
            if found
            else "no defects left",
        ),
        QualitySignal(
            "boilerplate",
            left,
            -min(left * BOILERPLATE_COST, BOILERPLATE_CAP),
            f"{_plural(left, 'boilerplate line')} left in the text" if left else "no boilerplate",
        ),
    ]


def _filler(parts: TextParts, title: str) -> list[QualitySignal]:
    filler = find_filler(parts)
    n = sum(filler.values())
    phrases = ", ".join(f"'{p}'" + (f" x{c}" if c > 1 else "") for p, c in sorted(filler.items()))
    pairs = faq_pairs(parts)
    stuffed = stuffed_terms(parts, title)
    lst = listicle(parts)
    padded = lst.advice_items >= 3 or (lst.items >= 5 and lst.word_share >= 0.4)
    list_penalty = 0.0
    if padded:
        list_penalty = -8.0 if lst.word_share >= 0.4 else -4.0
    return [
        QualitySignal(
            "filler",
            n,
            -min(n * FILLER_COST, FILLER_CAP),
            f"{_plural(n, 'filler phrase')}: {phrases}" if n else "no filler phrases",
        ),
        QualitySignal(
            "faq",
            pairs,
            -FAQ_PENALTY if pairs else 0.0,
            f"generic FAQ block of {_plural(pairs, 'question')}" if pairs else "no FAQ block",
        ),
        QualitySignal(
            "keyword-stuffing",
            len(stuffed),
            -_stuffing_cost(stuffed[0][2]) if stuffed else 0.0,
            "keyword stuffing: "
            + ", ".join(f"'{t}' {c} times ({d:.1%})" for t, c, d in stuffed[:3])
            if stuffed
            else "no keyword stuffing",
        ),
        QualitySignal(
            "listicle",
            lst.items,
            list_penalty,
            f"listicle padding: {_plural(lst.items, 'list item')}, "
            f"{lst.advice_items} as 'Label: advice', {lst.word_share:.0%} of the words"
            if padded
            else f"{_plural(lst.items, 'list item')}, no listicle padding",
        ),
    ]


def _stuffing_cost(density: float) -> float:
    """From STUFFING_MIN at the threshold density to STUFFING_MAX at twice it."""
    over = (density - STUFFING_DENSITY) / STUFFING_DENSITY
    return min(STUFFING_MAX, STUFFING_MIN + max(0.0, over) * (STUFFING_MAX - STUFFING_MIN))


def _headline(title: str, clickbait: Callable[[str], float]) -> QualitySignal:
    p = min(max(float(clickbait(title)), 0.0), 1.0)
    contribution = HEADLINE_BEST + (HEADLINE_WORST - HEADLINE_BEST) * p
    return QualitySignal(
        "headline", round(p, 4), contribution, f"headline clickbait probability {p:.2f}"
    )


def _metadata(article: Article) -> list[QualitySignal]:
    dated = article.published_at is not None
    author = (article.meta.get("author") or "").strip()
    images = len(article.images)
    return [
        QualitySignal(
            "date",
            float(dated),
            METADATA_PRESENT if dated else METADATA_MISSING,
            f"published {article.published_at:%Y-%m-%d}" if article.published_at else "no date",
        ),
        QualitySignal(
            "author",
            float(bool(author)),
            METADATA_PRESENT if author else METADATA_MISSING,
            "has an author" if author else "no author",
        ),
        QualitySignal(
            "image",
            images,
            IMAGE_PRESENT if images else IMAGE_MISSING,
            _plural(images, "image") if images else "no image",
        ),
    ]


def _provider(weight: float | None) -> QualitySignal:
    if weight is None or not math.isfinite(weight):
        return QualitySignal("provider", None, 0.0, "provider weight unknown (neutral)")
    contribution = max(-PROVIDER_CAP, min(PROVIDER_CAP, PROVIDER_SCALE * (weight - 1.0)))
    return QualitySignal("provider", weight, contribution, f"provider weight {weight:g}")


def _originality(originality: float | None) -> QualitySignal:
    if originality is None or not math.isfinite(originality):
        return QualitySignal("originality", None, 0.0, "originality unknown (neutral)")
    o = min(max(originality, 0.0), 1.0)
    contribution = REHASH_PENALTY + (ORIGINAL_BONUS - REHASH_PENALTY) * o
    reason = f"originality {o:.2f}" + (" (rehash of an earlier article)" if o < 0.5 else "")
    return QualitySignal("originality", o, contribution, reason)


def score_quality(
    article: Article,
    *,
    provider_weight: float | None = None,
    originality: float | None = None,
    clickbait: Callable[[str], float] = clickbait_probability,
) -> Quality:
    """Score ``article`` 0-100 with its signals.

    The text is measured as the repair stage would leave it; whatever that stage still finds to
    fix counts as a defect (at :data:`DEFECT_FACTOR` times the cost of a recorded repair), so an
    article never scores lower for having been repaired.

    ``provider_weight`` overrides ``article.provider.weight`` (1.0 is neutral; None is unknown,
    also neutral). ``originality`` in [0, 1] comes from the stories stage: 1 for an original
    report, near 0 for a rehash of an earlier article; None (unknown) is neutral. ``clickbait``
    maps a headline to a probability (the packaged model by default).
    """
    if provider_weight is None and article.provider is not None:
        provider_weight = article.provider.weight
    text = article.text if article.text is not None else article.body
    repaired, leftover = repair_text(text, language=article.meta.get("language"))
    parts = split_text(repaired)
    signals = [
        *_substance(parts),
        *_integrity(article, parts, leftover.as_dict()),
        *_filler(parts, article.title),
        _headline(article.title, clickbait),
        *_metadata(article),
        _provider(provider_weight),
        _originality(originality),
    ]
    signals = [
        QualitySignal(s.name, s.value, round(s.contribution, 2) + 0.0, s.reason) for s in signals
    ]
    total = BASE + sum(s.contribution for s in signals)
    return Quality(int(min(100, max(0, round(total)))), signals)
