"""Story heat: 0-100, from who covers a story, how recently, and whether coverage is speeding up.

:func:`heat` takes a story's arrivals (one per article: its provider, when it was published, and
the provider's weight) and an instant, and returns an integer 0..100. ``docs/heat.md`` gives the
formula, the defaults and how it relates to Fever's temperature, Hacker News's gravity and
Techmeme's link counts. In short::

    per provider p:  v_p = best weight of p  x  2 ** (-age of p's latest arrival / half-life)
    coverage      C = sum of v_p over all providers
    recent        R = sum of v_p over providers whose latest arrival is within the window
    earlier       E = C - R
    velocity      V = min(velocity_cap, velocity_weight x max(0, R - E))
    heat          = round(100 x (1 - exp(-(C + V) / scale)))

By construction (and checked by Hypothesis in ``tests/test_heat.py``): a new distinct provider
never lowers heat, a later ``now`` never raises it, and the order of arrivals does not matter.
Arrivals after ``now`` (clock skew between feeds) count as arriving at ``now``.

An article's heat is its story's heat at the article's last publication
(:func:`article_heat`); :data:`UNCLUSTERED` (-1) marks an article not yet in a story.
:func:`heat_history` gives hourly points for charts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

UNCLUSTERED = -1
"""The heat of an article that has not been clustered into a story yet."""

_HOUR = timedelta(hours=1)
_MAX_HISTORY_POINTS = 24 * 366 * 2


@dataclass(frozen=True)
class HeatConfig:
    """The knobs of :func:`heat`; the defaults are explained in ``docs/heat.md``.

    - ``half_life_hours``: a provider's contribution halves every this many hours (12).
    - ``velocity_window_hours``: coverage newer than this is "recent" (3).
    - ``velocity_weight``: share of the recent-over-earlier excess added as a bonus (0.5); at
      most 1, which is what keeps "a new provider never cools a story" true.
    - ``velocity_cap``: the bonus never exceeds this many neutral providers (3).
    - ``scale``: weighted providers at which heat reaches 63 (1 - 1/e) (6).
    """

    half_life_hours: float = 12.0
    velocity_window_hours: float = 3.0
    velocity_weight: float = 0.5
    velocity_cap: float = 3.0
    scale: float = 6.0

    def __post_init__(self) -> None:
        for name in ("half_life_hours", "velocity_window_hours", "scale"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"HeatConfig.{name} must be a positive number, got {value!r}")
        if not 0.0 <= self.velocity_weight <= 1.0:
            raise ValueError(
                f"HeatConfig.velocity_weight must be in [0, 1], got {self.velocity_weight!r}"
            )
        if not (math.isfinite(self.velocity_cap) and self.velocity_cap >= 0):
            raise ValueError(f"HeatConfig.velocity_cap must be >= 0, got {self.velocity_cap!r}")


@dataclass(frozen=True)
class Arrival:
    """One article of a story: its provider, when it was published, and the provider's weight.

    ``weight`` is the provider's weight (1.0 neutral, 0 muted); a naive ``at`` is taken as UTC.
    """

    provider: str
    at: datetime
    weight: float = 1.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.weight) and self.weight >= 0):
            raise ValueError(f"Arrival.weight must be a finite number >= 0, got {self.weight!r}")


DEFAULT_CONFIG = HeatConfig()


def heat(arrivals: Sequence[Arrival], now: datetime, config: HeatConfig = DEFAULT_CONFIG) -> int:
    """The heat (0..100) at ``now`` of a story whose articles arrived as ``arrivals``."""
    return _heat_at(_providers(arrivals), _utc(now), config)


def heat_history(
    arrivals: Sequence[Arrival],
    start: datetime,
    end: datetime,
    config: HeatConfig = DEFAULT_CONFIG,
) -> list[tuple[datetime, int]]:
    """Hourly ``(instant, heat)`` points for a chart, on whole UTC hours from ``start`` to ``end``.

    Each point counts only the arrivals published by that instant (what the heat was then).
    Points are the whole hours ``h`` with ``start <= h <= end``, in order; at most two years.
    """
    first, last = _utc(start), _utc(end)
    hour = first.replace(minute=0, second=0, microsecond=0)
    if hour < first:
        hour += _HOUR
    if last >= hour and (last - hour) / _HOUR >= _MAX_HISTORY_POINTS:
        raise ValueError(f"heat_history spans more than {_MAX_HISTORY_POINTS} hours")
    ordered = sorted(arrivals, key=lambda a: _utc(a.at))
    points: list[tuple[datetime, int]] = []
    seen = 0
    while hour <= last:
        while seen < len(ordered) and _utc(ordered[seen].at) <= hour:
            seen += 1
        points.append((hour, _heat_at(_providers(ordered[:seen]), hour, config)))
        hour += _HOUR
    return points


def article_heat(
    story_arrivals: Sequence[Arrival] | None,
    last_published: datetime,
    config: HeatConfig = DEFAULT_CONFIG,
) -> int:
    """An article's heat: its story's heat when the article was last published.

    ``story_arrivals`` is ``None`` while the article is not clustered: :data:`UNCLUSTERED`.
    Arrivals after ``last_published`` are not counted (the story's heat *then*).
    """
    if story_arrivals is None:
        return UNCLUSTERED
    at = _utc(last_published)
    return heat([a for a in story_arrivals if _utc(a.at) <= at], at, config)


def _providers(arrivals: Sequence[Arrival]) -> dict[str, tuple[float, datetime]]:
    """Each provider once: its best weight and its latest arrival."""
    best: dict[str, tuple[float, datetime]] = {}
    for arrival in arrivals:
        at = _utc(arrival.at)
        seen = best.get(arrival.provider)
        if seen is None:
            best[arrival.provider] = (arrival.weight, at)
        else:
            best[arrival.provider] = (max(seen[0], arrival.weight), max(seen[1], at))
    return best


def _heat_at(
    providers: dict[str, tuple[float, datetime]], now: datetime, config: HeatConfig
) -> int:
    window = timedelta(hours=config.velocity_window_hours)
    recent: list[float] = []
    earlier: list[float] = []
    for weight, at in providers.values():
        age = max(timedelta(0), now - at)
        value = weight * 2.0 ** (-(age / _HOUR) / config.half_life_hours)
        (recent if age < window else earlier).append(value)
    # fsum is exact before its final rounding, so the result cannot depend on arrival order.
    r, e = math.fsum(recent), math.fsum(earlier)
    coverage = math.fsum(recent + earlier)
    velocity = min(config.velocity_cap, config.velocity_weight * max(0.0, r - e))
    x = coverage + velocity
    return min(100, max(0, math.floor(100.0 * -math.expm1(-x / config.scale) + 0.5)))


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
