"""Story heat: invariants (Hypothesis), anchors, history and article heat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from topicwire.score.heat import (
    UNCLUSTERED,
    Arrival,
    HeatConfig,
    article_heat,
    heat,
    heat_history,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)

providers = st.sampled_from([f"p{i}" for i in range(12)])
ages = st.floats(min_value=-2.0, max_value=24.0 * 30)  # hours before NOW; a little future too
weights = st.floats(min_value=0.01, max_value=10.0)


@st.composite
def arrival(draw: st.DrawFn, provider: st.SearchStrategy[str] = providers) -> Arrival:
    return Arrival(draw(provider), NOW - timedelta(hours=draw(ages)), draw(weights))


stories = st.lists(arrival(), max_size=25)
configs = st.builds(
    HeatConfig,
    half_life_hours=st.floats(min_value=0.5, max_value=96.0),
    velocity_window_hours=st.floats(min_value=0.25, max_value=24.0),
    velocity_weight=st.floats(min_value=0.0, max_value=1.0),
    velocity_cap=st.floats(min_value=0.0, max_value=10.0),
    scale=st.floats(min_value=0.5, max_value=50.0),
)


@settings(max_examples=300)
@given(stories, arrival(st.just("newcomer")), configs)
def test_a_new_distinct_provider_never_cools_a_story(
    story: list[Arrival], new: Arrival, config: HeatConfig
) -> None:
    assert heat([*story, new], NOW, config) >= heat(story, NOW, config)


@settings(max_examples=300)
@given(stories, st.floats(min_value=0.0, max_value=24.0 * 10), configs)
def test_age_never_heats(story: list[Arrival], later_hours: float, config: HeatConfig) -> None:
    assert heat(story, NOW + timedelta(hours=later_hours), config) <= heat(story, NOW, config)


@given(stories, st.randoms(use_true_random=False), configs)
def test_arrival_order_does_not_matter(
    story: list[Arrival], rnd: object, config: HeatConfig
) -> None:
    shuffled = list(story)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert heat(shuffled, NOW, config) == heat(story, NOW, config)
    assert heat(list(reversed(story)), NOW, config) == heat(story, NOW, config)


@given(stories, configs)
def test_bounds(story: list[Arrival], config: HeatConfig) -> None:
    assert 0 <= heat(story, NOW, config) <= 100


def test_empty_story_is_cold() -> None:
    assert heat([], NOW) == 0


def test_one_outlet_an_hour_ago_is_warm_ten_outlets_are_hot() -> None:
    one = heat([Arrival("a", NOW - H)], NOW)
    ten = heat([Arrival(f"p{i}", NOW - i * 12 * timedelta(minutes=1)) for i in range(10)], NOW)
    assert 15 <= one <= 30
    assert ten >= 80
    assert one < ten


def test_a_day_old_story_cools() -> None:
    story = [Arrival(f"p{i}", NOW - i * 12 * timedelta(minutes=1)) for i in range(10)]
    fresh, day_old = heat(story, NOW), heat(story, NOW + 24 * H)
    assert day_old < fresh / 2
    assert heat(story, NOW + 24 * 7 * H) <= 2


def test_repeats_from_one_provider_count_once() -> None:
    once = heat([Arrival("a", NOW - H)], NOW)
    spam = heat([Arrival("a", NOW - H - i * timedelta(minutes=1)) for i in range(50)], NOW)
    assert spam == once


def test_provider_weight_scales_its_contribution() -> None:
    neutral = heat([Arrival("a", NOW - H), Arrival("b", NOW - H)], NOW)
    trusted = heat([Arrival("a", NOW - H, 3.0), Arrival("b", NOW - H)], NOW)
    muted = heat([Arrival("a", NOW - H, 0.0), Arrival("b", NOW - H)], NOW)
    assert muted < neutral < trusted


def test_velocity_favours_a_breaking_story_over_a_steady_one() -> None:
    # Both have four providers worth about the same after decay; one is all within the window.
    breaking = [Arrival(f"p{i}", NOW - i * 10 * timedelta(minutes=1)) for i in range(4)]
    steady = [Arrival(f"p{i}", NOW - (i * 4 + 1) * H) for i in range(4)]
    assert heat(breaking, NOW) > heat(steady, NOW)


def test_future_arrivals_count_as_now_and_naive_times_as_utc() -> None:
    naive_now = NOW.replace(tzinfo=None)
    assert heat([Arrival("a", NOW + 5 * H)], NOW) == heat([Arrival("a", NOW)], NOW)
    assert heat([Arrival("a", naive_now - H)], naive_now) == heat([Arrival("a", NOW - H)], NOW)


def test_history_is_hourly_and_counts_only_what_had_arrived() -> None:
    story = [Arrival("a", NOW + 90 * timedelta(minutes=1)), Arrival("b", NOW + 5 * H)]
    points = heat_history(story, NOW - 30 * timedelta(minutes=1), NOW + 8 * H)
    assert [t for t, _ in points] == [NOW + i * H for i in range(9)]
    values = [v for _, v in points]
    assert values[:2] == [0, 0]  # nothing had arrived yet
    assert values[2] == heat(story[:1], NOW + 2 * H)
    assert values[5] == heat(story, NOW + 5 * H) > values[4]
    assert values[6] >= values[7] >= values[8]


def test_history_of_an_empty_span() -> None:
    assert heat_history([], NOW + 10 * timedelta(minutes=1), NOW + 20 * timedelta(minutes=1)) == []
    with pytest.raises(ValueError, match="hours"):
        heat_history([], NOW, NOW + timedelta(days=3650))


def test_article_heat() -> None:
    story = [Arrival("a", NOW - H), Arrival("b", NOW + H)]
    assert article_heat(None, NOW) == UNCLUSTERED == -1
    assert article_heat(story, NOW) == heat(story[:1], NOW)
    assert article_heat(story, NOW + H) == heat(story, NOW + H)


@pytest.mark.parametrize(
    "field, value",
    [
        ("half_life_hours", 0.0),
        ("velocity_window_hours", -1.0),
        ("scale", float("nan")),
        ("velocity_weight", 1.5),
        ("velocity_cap", -1.0),
    ],
)
def test_bad_config_is_rejected(field: str, value: float) -> None:
    with pytest.raises(ValueError, match=field):
        HeatConfig(**{field: value})


def test_bad_weight_is_rejected() -> None:
    with pytest.raises(ValueError, match="weight"):
        Arrival("a", NOW, -1.0)
