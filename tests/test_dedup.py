"""Near-duplicates: copies of one canonical article, and what is not a copy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from topicwire.cluster.dedup import (
    DedupError,
    NearDuplicateIndex,
    containment_of,
    estimated_containment,
    minhash_bytes,
    minhash_from_bytes,
    minhash_of,
    numbers,
    shingles,
    words,
)
from topicwire.errors import TopicwireError

DAY = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

BRIDGE = """Harbour bridge to close for three weeks of repairs

The city council voted on Tuesday to close the old harbour bridge for three weeks from the
first of May, so that engineers can replace the corroded steel joints under the eastern span.

Buses will be rerouted over the ring road, and the ferry service will run every ten minutes
during the morning and evening peak, the transport office said in a statement.

Shop owners on the waterfront asked for a delay until the autumn, arguing that the summer
season brings most of their yearly income, but the mayor said the repairs could not wait.

An inspection last winter found cracks in four of the twelve joints. The engineers expect the
bridge to reopen to cars in the last week of May and to lorries a week later."""

BRIDGE_OTHER = """Traders fear losses as harbour bridge shuts

Cafe owners along the quay say a month without passing trade could ruin them. "We make our
money between May and September," said one, who has run a fish stall there for twenty years.

Council engineers insist the work is urgent after they found damaged joints during the winter
survey. A spokeswoman promised extra ferries and signs pointing visitors to the waterfront.

The chamber of commerce will meet the mayor next week to ask for a discount on business rates
while the bridge is closed, and for a festival on the quay to bring visitors back in June."""

QUAKE_NORTH = """Earthquake shakes northern valley, no injuries reported

A magnitude 4.8 earthquake struck the northern valley early on Sunday morning, the national
seismology institute said, with its centre some 12 kilometres below the village of Arlen.

Residents of Arlen and nearby Tove reported rattling windows and fallen shelves, and the fire
brigade checked the old stone church for damage before the Sunday service went ahead.

The regional governor said schools in the valley would open as usual on Monday 7 March after
engineers inspected the buildings. Small quakes are common in the area, which lies on a fault."""

QUAKE_SOUTH = """Earthquake shakes southern coast, two people hurt

A magnitude 5.3 earthquake struck the southern coast late on Thursday evening, the national
seismology institute said, with its centre about thirty kilometres offshore from the port of Melle.

Two people in Melle were treated in hospital for cuts from broken glass, and the harbour master
closed the quay for the night while divers examined the sea wall for cracks.

The coast guard said there was no risk of a tsunami. The last quake of that size in the region,
in 1998, damaged the lighthouse, which was rebuilt with steel reinforcement."""

#: a template report of another quake: the same sentences, other places and figures
QUAKE_TWIN = """Earthquake shakes northern valley, no injuries reported

A magnitude 3.9 earthquake struck the northern valley early on Sunday morning, the national
seismology institute said, with its centre some 7 kilometres below the village of Brenn.

Residents of Brenn and nearby Tove reported rattling windows and fallen shelves, and the fire
brigade checked the old stone church for damage before the Sunday service went ahead.

The regional governor said schools in the valley would open as usual on Monday 14 March after
engineers inspected the buildings. Small quakes are common in the area, which lies on a fault."""


def _index() -> NearDuplicateIndex:
    return NearDuplicateIndex()


def test_shingles_are_normalised_and_drop_boilerplate_lines() -> None:
    text = "The Mayor's plan, finally!\nShare this:\nLeave a Reply\nIt WAS approved."
    assert words(text) == ["the", "mayors", "plan", "finally", "it", "was", "approved"]
    assert shingles(text, k=5) == {
        "the mayors plan finally it",
        "mayors plan finally it was",
        "plan finally it was approved",
    }
    assert shingles("Two words", k=5) == {"two words"}
    assert shingles("", k=5) == set()
    with pytest.raises(ValueError):
        shingles("text", k=0)


def test_containment_counts_the_smaller_set() -> None:
    assert containment_of({"a", "b"}, {"a", "b", "c", "d"}) == 1.0
    assert containment_of(set(), {"a"}) == 0.0
    # J = 2/4 with |A| = 2, |B| = 4 -> |A & B| = 2 -> containment 1.0
    assert estimated_containment(0.5, 2, 4) == pytest.approx(1.0)


def test_exact_copy_is_a_copy_of_the_original() -> None:
    index = _index()
    assert index.add("original", BRIDGE, published_at=DAY) is None
    assert index.add("copy", BRIDGE, published_at=DAY + timedelta(hours=2)) == "original"
    assert index.canonical_of("copy") == "original"
    assert index.copies_of("original") == ["copy"]
    assert index.copies_of("copy") == []
    assert index.matches_of("copy")[0].jaccard == 1.0


def test_edited_headline_and_boilerplate_footer_is_a_copy() -> None:
    body = BRIDGE.split("\n\n", 1)[1]
    copy = (
        "UPDATE: Old harbour bridge shuts for repairs - City Wire\n\n"
        + body
        + "\n\nShare this:\nFacebook\nLeave a Reply\n"
        + "Your email address will not be published. Required fields are marked *"
    )
    index = _index()
    index.add("original", BRIDGE, published_at=DAY)
    assert index.add("syndicated", copy, published_at=DAY + timedelta(days=1)) == "original"


def test_truncated_copy_counts_by_containment() -> None:
    tokens = BRIDGE.split(" ")
    truncated = " ".join(tokens[: int(len(tokens) * 0.6)]) + " ..."
    index = _index()
    index.add("original", BRIDGE, published_at=DAY)
    assert index.add("truncated", truncated, published_at=DAY + timedelta(hours=1)) == "original"
    match = index.compare("truncated", "original")
    assert match.jaccard < index.threshold <= index.containment <= match.containment


def test_different_article_on_the_same_subject_is_not_a_copy() -> None:
    index = _index()
    index.add("council", BRIDGE, published_at=DAY)
    assert index.add("traders", BRIDGE_OTHER, published_at=DAY) is None
    assert index.groups() == []


def test_two_events_with_similar_wording_are_not_copies() -> None:
    index = _index()
    index.add("north", QUAKE_NORTH, published_at=DAY)
    assert index.add("south", QUAKE_SOUTH, published_at=DAY + timedelta(days=4)) is None
    assert index.canonical_of("south") == "south"


def test_template_reports_of_different_quakes_are_not_copies() -> None:
    index = _index()
    index.add("arlen", QUAKE_NORTH, published_at=DAY)
    assert index.add("brenn", QUAKE_TWIN, published_at=DAY + timedelta(days=9)) is None
    # the wording alone would call it a copy; the figures (4.8, 12, 7 vs 3.9, 7, 14) veto it
    assert index.compare("brenn", "arlen").containment >= index.containment
    assert numbers(QUAKE_TWIN) == {"3.9", "7", "14"}
    lenient = NearDuplicateIndex(number_agreement=0.0)
    lenient.add("arlen", QUAKE_NORTH, published_at=DAY)
    assert lenient.add("brenn", QUAKE_TWIN, published_at=DAY + timedelta(days=9)) == "arlen"


def test_canonical_is_the_earliest_published_even_when_it_arrives_last() -> None:
    index = _index()
    assert index.add("b-reprint", BRIDGE, published_at=DAY + timedelta(days=2)) is None
    assert index.add("c-reprint", BRIDGE, published_at=DAY + timedelta(days=1)) is None
    # the original arrives last but was published first: it becomes the canonical
    assert index.add("z-original", BRIDGE, published_at=DAY) is None
    assert index.canonical_of("b-reprint") == "z-original"
    assert index.copies_of("z-original") == ["b-reprint", "c-reprint"]
    assert index.group_of("c-reprint") == ["z-original", "b-reprint", "c-reprint"]


def test_canonical_ties_break_by_key_and_unknown_dates_count_as_latest() -> None:
    index = _index()
    index.add("undated", BRIDGE)
    index.add("b", BRIDGE, published_at=DAY)
    assert index.add("a", BRIDGE, published_at=DAY) is None
    assert index.canonical_of("undated") == "a"
    naive = NearDuplicateIndex()
    naive.add("aware", BRIDGE, published_at=DAY + timedelta(hours=1))
    assert naive.add("naive", BRIDGE, published_at=datetime(2026, 3, 2, 8, 0)) is None


def test_short_texts_are_never_copies() -> None:
    brief = "Harbour bridge closes for three weeks of repairs from May, the council said."
    index = _index()
    index.add("one", brief, published_at=DAY)
    assert index.add("two", brief, published_at=DAY) is None
    assert index.groups() == []


def test_remove_splits_a_group_and_unknown_keys_raise() -> None:
    index = _index()
    index.add("original", BRIDGE, published_at=DAY)
    index.add("copy", BRIDGE, published_at=DAY + timedelta(hours=1))
    index.add("other", QUAKE_NORTH, published_at=DAY)
    index.remove("original")
    assert index.canonical_of("copy") == "copy"
    assert "original" not in index
    assert len(index) == 2
    with pytest.raises(DedupError) as raised:
        index.canonical_of("original")
    assert isinstance(raised.value, TopicwireError)
    assert "original" in str(raised.value)
    with pytest.raises(KeyError):
        index.remove("original")


def test_adding_a_key_again_replaces_its_text() -> None:
    index = _index()
    index.add("original", BRIDGE, published_at=DAY)
    index.add("copy", BRIDGE, published_at=DAY + timedelta(hours=1))
    assert index.add("copy", QUAKE_SOUTH, published_at=DAY + timedelta(hours=1)) is None
    assert index.copies_of("original") == []


def test_signatures_are_deterministic_and_round_trip_through_bytes() -> None:
    first, second = _index(), _index()
    first.add("a", BRIDGE)
    second.add("a", BRIDGE)
    data = minhash_bytes(first.signature_of("a"))
    assert data == minhash_bytes(second.signature_of("a"))
    assert data == minhash_bytes(minhash_of(shingles(BRIDGE)))
    restored = minhash_from_bytes(data)
    assert restored.jaccard(second.signature_of("a")) == 1.0


def test_without_kept_shingles_containment_is_estimated() -> None:
    index = NearDuplicateIndex(keep_shingles=False)
    tokens = BRIDGE.split(" ")
    index.add("original", BRIDGE, published_at=DAY)
    truncated = " ".join(tokens[: int(len(tokens) * 0.6)])
    assert index.add("truncated", truncated, published_at=DAY + timedelta(hours=1)) == "original"
    assert index.add("other", BRIDGE_OTHER, published_at=DAY) is None


def test_bad_thresholds_are_refused() -> None:
    with pytest.raises(ValueError):
        NearDuplicateIndex(threshold=0.0)
    with pytest.raises(ValueError):
        NearDuplicateIndex(containment=1.5)


def _variants() -> list[tuple[str, str, datetime | None]]:
    bridge_body = BRIDGE.split("\n\n", 1)[1]
    tokens = QUAKE_NORTH.split(" ")
    return [
        ("bridge", BRIDGE, DAY),
        ("bridge-headline", "Bridge repairs: harbour crossing shuts\n\n" + bridge_body, DAY),
        ("bridge-late", BRIDGE + "\n\nShare this:\nLeave a Reply", DAY + timedelta(days=1)),
        ("bridge-undated", BRIDGE, None),
        ("traders", BRIDGE_OTHER, DAY),
        ("north", QUAKE_NORTH, DAY + timedelta(hours=3)),
        ("north-short", " ".join(tokens[: int(len(tokens) * 0.7)]), DAY + timedelta(hours=1)),
        ("south", QUAKE_SOUTH, DAY),
    ]


@settings(max_examples=40, deadline=None)
@given(st.permutations(_variants()))
def test_groups_do_not_depend_on_arrival_order(
    order: list[tuple[str, str, datetime | None]],
) -> None:
    index = _index()
    for key, text, published_at in order:
        index.add(key, text, published_at=published_at)
    assert index.groups() == [
        ["bridge", "bridge-headline", "bridge-late", "bridge-undated"],
        ["north-short", "north"],
    ]
    assert index.canonical_of("north") == "north-short"
    assert index.canonical_of("traders") == "traders"
