"""The stories stage on a real store (SQLite and PostgreSQL) with the real offline embedder:
incremental runs, events kept apart, copies, the original report, related coverage, editor
merges, splits and publish decisions, heat, and all-or-nothing runs."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from topicwire.cluster.stage import StageConfig, StoryStage, related_for, report_time
from topicwire.enrich.embed import Embedder, default_embedder
from topicwire.errors import StoreError
from topicwire.model import Article, Provider
from topicwire.store import Store
from topicwire.store.stories import CANNOT, MUST, Member, StoryWriter

DAY = datetime(2026, 3, 10, tzinfo=UTC)
NOW = DAY + timedelta(hours=16)

# -- invented coverage: (provider domain, provider name, headline, text) -----------------------

LAUNCH_1 = (
    "techpulse.example",
    "TechPulse",
    "Brightvale unveils Halo X2 smart glasses with all-day battery",
    "Brightvale Labs unveiled the Halo X2 smart glasses at an event in Tallinn on Tuesday, "
    "promising a battery that lasts 18 hours on a single charge. The glasses weigh 41 grams "
    "and project notifications onto the right lens using a microLED display. Chief executive "
    "Marta Kivisild said the Halo X2 will go on sale in Estonia, Finland and Germany on "
    "April 2 for 449 euros. Brightvale said it had reworked the hinge to hold a larger battery "
    "without making the frame thicker. Early reviewers at the Tallinn event praised the "
    "brightness of the display outdoors.",
)
LAUNCH_2 = (
    "gadgetwire.example",
    "GadgetWire",
    "Halo X2: Brightvale's new glasses aim at everyday wearers",
    "Brightvale Labs is betting that lighter hardware will bring smart glasses to everyday "
    "buyers. Its new Halo X2, shown in Tallinn, weighs 41 grams and runs for up to 18 hours, "
    "the company said. Marta Kivisild, Brightvale's chief executive, told reporters the "
    "glasses will cost 449 euros when they ship in April. The Halo X2 pairs with Android and "
    "iOS phones and shows messages, directions and captions on a small microLED display. "
    "Analysts said the price undercuts rival devices by about a third.",
)
LAUNCH_3 = (
    "dailybyte.example",
    "DailyByte",
    "Brightvale Halo X2 preorders open after Tallinn launch",
    "Preorders for Brightvale's Halo X2 smart glasses opened on Tuesday afternoon, hours "
    "after the Tallinn launch event. Brightvale Labs said the first batch of 20,000 units "
    "would ship from its Tartu factory in early April. The glasses, priced at 449 euros, "
    "combine an 18-hour battery with a microLED display in a 41-gram frame. Marta Kivisild "
    "said demand from Germany had surprised the company. Brightvale plans to add live "
    "translation captions in a software update this summer.",
)
#: a syndicated copy of LAUNCH_1: a new headline and a republishing line
LAUNCH_COPY = (
    "syndicate.example",
    "Syndicate Daily",
    "Estonian start-up's Halo X2 glasses promise 18-hour battery",
    LAUNCH_1[3] + "\nThis story was originally published by TechPulse and is republished "
    "here with permission.",
)
QUAKE_V1 = (
    "northstar.example",
    "Northstar News",
    "Magnitude 6.1 earthquake shakes Vellmoor, damaging old town",
    "A magnitude 6.1 earthquake struck near the mountain town of Vellmoor early on Tuesday, "
    "damaging dozens of buildings in its old town. The regional seismic office said the quake "
    "hit at 5:42 a.m. at a depth of 12 kilometres. Mayor Oskar Lindqvist said three people "
    "were taken to hospital with minor injuries. Rescue teams were checking the Vellmoor "
    "railway bridge, which was closed as a precaution. Aftershocks of up to magnitude 4.2 "
    "were felt through the morning.",
)
QUAKE_V2 = (
    "valleytimes.example",
    "Valley Times",
    "Vellmoor counts damage after 6.1 quake",
    "Residents of Vellmoor spent Tuesday morning clearing rubble after a magnitude 6.1 "
    "earthquake damaged buildings in the town's old quarter. Mayor Oskar Lindqvist said three "
    "people had minor injuries and that the railway bridge would stay closed until engineers "
    "finish their checks. The seismic office recorded aftershocks as strong as magnitude 4.2. "
    "Schools in Vellmoor will remain shut on Wednesday while inspectors assess classrooms.",
)
QUAKE_C1 = (
    "coastalherald.example",
    "Coastal Herald",
    "Earthquake of magnitude 5.4 hits Castrano, cutting power to harbour district",
    "An earthquake of magnitude 5.4 hit the coastal city of Castrano on Tuesday afternoon, "
    "cutting power to the harbour district. The national geological institute placed the "
    "epicentre 8 kilometres offshore at a depth of 20 kilometres. Governor Elena Ruscetti said "
    "no deaths had been reported, but two schools were evacuated. Ferries to the island of "
    "Santa Brina were suspended while engineers inspected the piers. Residents described "
    "several seconds of strong shaking.",
)
QUAKE_C2 = (
    "wireagency.example",
    "Wire Agency",
    "Castrano quake: ferries to Santa Brina halted, harbour without power",
    "Ferry services between Castrano and Santa Brina were halted on Tuesday after a magnitude "
    "5.4 earthquake struck offshore, the port authority said. Governor Elena Ruscetti told "
    "reporters that power in the Castrano harbour district would be restored by the evening. "
    "The geological institute said the epicentre lay 8 kilometres off the coast. Two schools "
    "in Castrano were evacuated as a precaution and no deaths were reported.",
)
QUAKE_C3 = (
    "islandpost.example",
    "Island Post",
    "Castrano ferries resume as engineers clear piers after 5.4 quake",
    "Ferries between Castrano and Santa Brina resumed on Tuesday night after engineers "
    "cleared the piers damaged by the magnitude 5.4 earthquake. Governor Elena Ruscetti said "
    "power had returned to most of the Castrano harbour district. The geological institute "
    "recorded four aftershocks offshore, none above magnitude 3. Schools in Castrano will "
    "reopen on Thursday.",
)


def news(
    story: tuple[str, str, str, str], at: datetime, *, slug: str | None = None, **changes: Any
) -> Article:
    """An article of ``story`` published at ``at`` (``slug`` makes its URL unique)."""
    domain, name, title, body = story
    sentences = body.split(". ")
    fields: dict[str, Any] = {
        "title": title,
        "excerpt": sentences[0] + ".",
        "text": body,
        "published_at": at,
        "web_url": f"https://{domain}/news/{slug or title.lower().replace(' ', '-')[:40]}",
        "provider": Provider(name=name, domain=domain),
        "topics": ["Technology"],
    }
    fields.update(changes)
    return Article.model_validate(fields)


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """One loaded model for the whole session."""
    model = default_embedder()
    model.encode(["warm up"])
    return model


def put(store: Store, *articles: Article) -> list[int]:
    """Store ``articles``; their row ids in order."""
    return list(store.upsert_articles(articles).ids)


def story_of(store: Store, article_id: int) -> int | None:
    stored = store.get_article(article_id)
    assert stored is not None
    return stored.story_id


def article(store: Store, article_id: int) -> Article:
    stored = store.get_article(article_id)
    assert stored is not None
    return stored.article


def related_urls(store: Store, article_id: int) -> list[str | None]:
    return [item.web_url for item in article(store, article_id).related]


def url_of(store: Store, article_id: int) -> str | None:
    return article(store, article_id).web_url


def count(store: Store, table: str) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def signal(stored: Article, name: str) -> dict[str, Any]:
    found = [s for s in stored.quality_signals if s["name"] == name]
    assert len(found) == 1, stored.quality_signals
    return found[0]


# -- 1. incremental runs ----------------------------------------------------------------------


def test_a_later_article_joins_its_story_and_updates_the_older_ones(
    store: Store, embedder: Embedder
) -> None:
    stage = StoryStage(store, embedder=embedder)
    first, second = put(
        store,
        news(LAUNCH_1, DAY + timedelta(hours=9)),
        news(LAUNCH_2, DAY + timedelta(hours=10, minutes=30)),
    )
    report = stage.run(now=NOW)
    assert (report.clustered, report.new_stories, report.joined) == (2, 1, 0)
    story = story_of(store, first)
    assert story is not None and story_of(store, second) == story
    before = store.get_story(story)
    assert before is not None
    assert (before.article_count, before.provider_count) == (2, 2)
    assert before.original_article_id == first
    assert related_urls(store, first) == [url_of(store, second)]

    third = put(store, news(LAUNCH_3, DAY + timedelta(hours=14)))[0]
    report = stage.run(now=NOW)
    assert (report.clustered, report.new_stories, report.joined) == (1, 0, 1)
    assert story_of(store, third) == story
    assert [s.id for s in store.list_stories()] == [story]
    after = store.get_story(story)
    assert after is not None
    assert (after.article_count, after.provider_count) == (3, 3)
    assert after.heat > before.heat
    assert after.original_article_id == first
    assert after.last_published_at == DAY + timedelta(hours=14)
    # the older articles were brought up to date: the new report is in their related lists
    for older in (first, second):
        assert url_of(store, third) in related_urls(store, older)
        assert article(store, older).heat == after.heat
    assert set(related_urls(store, third)) == {url_of(store, first), url_of(store, second)}

    # nothing new: nothing changes
    snapshot = {i: article(store, i) for i in (first, second, third)}
    stories = store.list_stories()
    history = store.story_heat_history(story)
    report = stage.run(now=NOW)
    assert (report.clustered, report.new_stories, report.joined, report.touched_stories) == (
        0,
        0,
        0,
        0,
    )
    assert store.list_stories() == stories
    assert store.story_heat_history(story) == history
    for article_id, was in snapshot.items():
        now = article(store, article_id)
        assert now.related == was.related
        assert (now.heat, now.quality, now.published) == (was.heat, was.quality, was.published)


# -- 3. copies --------------------------------------------------------------------------------


def test_a_syndicated_copy_points_at_the_original_and_is_never_related_or_published(
    store: Store, embedder: Embedder
) -> None:
    original, copy, other = put(
        store,
        news(LAUNCH_1, DAY + timedelta(hours=9)),
        news(LAUNCH_COPY, DAY + timedelta(hours=11)),
        news(LAUNCH_2, DAY + timedelta(hours=10, minutes=30)),
    )
    # every quality passes, so only being a copy can keep an article unpublished
    config = StageConfig(publish_min_quality=0)
    report = StoryStage(store, config, embedder=embedder).run(now=NOW)
    assert report.copies == 1
    members = {m.id: m for m in store.story_members(ids=[original, copy, other])}
    assert members[copy].copy_of_id == original
    assert members[original].copy_of_id is None
    assert members[other].copy_of_id is None
    # the copy stays in the story as coverage
    assert members[copy].story_id == members[original].story_id == members[other].story_id
    story = store.get_story(members[original].story_id or -1)
    assert story is not None
    assert story.article_count == 3
    assert story.original_article_id == original

    copy_url = url_of(store, copy)
    for article_id in (original, copy, other):
        assert copy_url not in related_urls(store, article_id)
    assert related_urls(store, original) == [url_of(store, other)]

    copied = article(store, copy)
    assert copied.published is False
    assert article(store, original).published is True
    assert article(store, other).published is True
    assert signal(copied, "originality")["value"] == 0
    assert signal(article(store, original), "originality")["value"] == 1
    first = article(store, original)
    assert (first.quality or 0) > (copied.quality or 0)


# -- 4. the original report -------------------------------------------------------------------


def test_events_stay_apart_and_the_original_report_is_the_earliest_credible_one(
    store: Store, embedder: Embedder
) -> None:
    launch = put(
        store,
        news(LAUNCH_1, DAY + timedelta(hours=9)),
        news(LAUNCH_2, DAY + timedelta(hours=10, minutes=30)),
    )
    # a date without a time (midnight UTC) does not beat a report stamped the same morning
    dated_only, stamped = put(
        store,
        news(QUAKE_V1, DAY),
        news(QUAKE_V2, DAY + timedelta(hours=8, minutes=30)),
    )
    # within original_tie_minutes the heavier provider wins
    light, heavy = put(
        store,
        news(QUAKE_C1, DAY + timedelta(hours=15, minutes=20)),
        news(QUAKE_C2, DAY + timedelta(hours=15, minutes=35)),
    )
    weights = {"wireagency.example": 1.5}
    report = StoryStage(store, embedder=embedder, weights=weights).run(now=NOW)
    assert (report.clustered, report.new_stories) == (6, 3)
    # two earthquakes on the same day in different places stay two stories
    vellmoor, castrano = story_of(store, dated_only), story_of(store, light)
    assert vellmoor is not None and castrano is not None and vellmoor != castrano
    assert story_of(store, stamped) == vellmoor and story_of(store, heavy) == castrano
    assert story_of(store, launch[0]) == story_of(store, launch[1]) not in (vellmoor, castrano)
    assert len(store.list_stories()) == 3
    # each quake report's related coverage starts with the other outlet of its own quake
    assert related_urls(store, stamped)[0] == url_of(store, dated_only)
    assert related_urls(store, light)[0] == url_of(store, heavy)

    def original(article_id: int) -> int | None:
        found = store.get_story(story_of(store, article_id) or -1)
        assert found is not None
        return found.original_article_id

    assert original(launch[1]) == launch[0]
    assert original(dated_only) == stamped
    assert original(light) == heavy

    # the same story without the weight: the earlier report wins again
    StoryStage(store, embedder=embedder).run(now=NOW, touch=[castrano])
    assert original(light) == light
    # outside the tie window the weight no longer matters
    late = StoryStage(
        store, StageConfig(original_tie_minutes=10), embedder=embedder, weights=weights
    )
    late.run(now=NOW, touch=[castrano])
    assert original(light) == light


def member(
    article_id: int,
    domain: str | None = "a.example",
    *,
    at: datetime = DAY + timedelta(hours=9),
    story: int | None = 1,
    copy_of: int | None = None,
    quality: int | None = 60,
) -> Member:
    return Member(
        id=article_id,
        title=f"Article {article_id}",
        text="",
        embedding=None,
        published_at=at,
        stored_at=DAY + timedelta(days=1),
        domain=domain,
        story_id=story,
        copy_of_id=copy_of,
        quality=quality,
    )


def test_report_time_treats_midnight_as_a_date_only() -> None:
    assert report_time(member(1, at=DAY)) == DAY + timedelta(days=1, seconds=-1)
    assert report_time(member(1, at=DAY + timedelta(hours=23, minutes=59))) < report_time(
        member(2, at=DAY)
    )
    stamped = DAY + timedelta(seconds=1)
    assert report_time(member(1, at=stamped)) == stamped
    undated = Member(1, "t", "", None, None, DAY + timedelta(hours=5), None, None, None, None)
    assert report_time(undated) == DAY + timedelta(hours=5)


# -- 5. related rules -------------------------------------------------------------------------


def test_related_same_story_first_one_per_provider_never_itself_its_provider_or_a_copy() -> None:
    me = member(1, "a.example")
    same = [
        (1.0, me),
        (0.95, member(2, "a.example")),  # my own provider
        (0.9, member(3, "b.example")),
        (0.85, member(4, "b.example")),  # second of provider b
        (0.99, member(5, "c.example", copy_of=3)),  # a copy
        (0.7, member(6, "d.example")),
        (0.88, member(7, "e.example")),
    ]
    others = [
        (0.8, member(10, "f.example", story=2)),
        (0.75, member(11, "g.example", story=2)),  # same other story
        (0.6, member(12, "h.example", story=3)),
        (0.9, member(13, "i.example", story=4, copy_of=12)),  # a copy
        (0.99, member(14, "a.example", story=5)),  # my own provider
        (0.97, member(15, "j.example", story=1)),  # my own story via the index
    ]
    story_of = {m.id: m.story_id for _, m in [*same, *others]}
    copy_of = {m.id: m.copy_of_id for _, m in [*same, *others]}
    assert related_for(me, same, others, story_of, copy_of, 10) == [3, 7, 6, 10, 12]
    assert related_for(me, same, others, story_of, copy_of, 2) == [3, 7]
    assert related_for(me, same, others, story_of, copy_of, 4) == [3, 7, 6, 10]
    assert related_for(me, [], others, story_of, copy_of, 10) == [10, 12]
    assert related_for(me, same, [], story_of, copy_of, 10) == [3, 7, 6]


def test_related_orders_by_similarity_then_quality() -> None:
    me = member(1, "a.example")
    same = [
        (0.801, member(2, "b.example", quality=40)),
        (0.799, member(3, "c.example", quality=90)),  # the same similarity at two decimals
        (0.9, member(4, "d.example", quality=10)),
        (0.5, member(5, "e.example", quality=None)),
        (0.5, member(6, "f.example", quality=20)),
    ]
    story_of = {m.id: 1 for _, m in same}
    assert related_for(me, same, [], story_of, {}, 10) == [4, 3, 2, 6, 5]
    # one per provider keeps the best of that provider
    twin = [(0.6, member(7, "g.example", quality=10)), (0.6, member(8, "g.example", quality=80))]
    assert related_for(me, twin, [], {7: 1, 8: 1}, {}, 10) == [8]


# -- 6. merges and splits ---------------------------------------------------------------------


def test_merge_persists_and_later_runs_keep_it(store_url: str, embedder: Embedder) -> None:
    with Store.open(store_url) as store:
        v1, v2, c1 = put(
            store,
            news(QUAKE_V1, DAY + timedelta(hours=6, minutes=10)),
            news(QUAKE_V2, DAY + timedelta(hours=8, minutes=30)),
            news(QUAKE_C1, DAY + timedelta(hours=15, minutes=20)),
        )
        StoryStage(store, embedder=embedder).run(now=NOW)
        keep, other = story_of(store, v1), story_of(store, c1)
        assert keep is not None and other is not None and keep != other
        with pytest.raises(StoreError):
            store.merge_stories(keep, keep)
        with pytest.raises(StoreError):
            store.merge_stories(keep, 10_000)
        assert store.merge_stories(keep, other) == keep
        assert [story_of(store, i) for i in (v1, v2, c1)] == [keep, keep, keep]
        assert store.get_story(other) is None
        assert (MUST, v1, c1) in store.story_links()
        StoryStage(store, embedder=embedder).run(now=NOW, touch=[keep])
        merged = store.get_story(keep)
        assert merged is not None
        assert (merged.article_count, merged.provider_count) == (3, 3)
    with Store.open(store_url) as store:
        assert [story_of(store, i) for i in (v1, v2, c1)] == [keep, keep, keep]
        assert (MUST, v1, c1) in store.story_links()
        later = put(
            store,
            news(QUAKE_C2, DAY + timedelta(hours=15, minutes=35)),
            news(QUAKE_C3, DAY + timedelta(hours=22)),
        )
        StoryStage(store, embedder=embedder).run(now=DAY + timedelta(hours=23))
        assert [story_of(store, i) for i in (v1, v2, c1)] == [keep, keep, keep]
        assert all(story_of(store, i) is not None for i in later)
        merged = store.get_story(keep)
        assert merged is not None
        assert merged.article_count == len(store.story_members(story_ids=[keep])) >= 3


def test_split_persists_and_a_later_article_never_rejoins_the_parts(
    store_url: str, embedder: Embedder
) -> None:
    with Store.open(store_url) as store:
        first, second = put(
            store,
            news(LAUNCH_1, DAY + timedelta(hours=9)),
            news(LAUNCH_2, DAY + timedelta(hours=10, minutes=30)),
        )
        StoryStage(store, embedder=embedder).run(now=NOW)
        story = story_of(store, first)
        assert story is not None and story_of(store, second) == story
        with pytest.raises(StoreError):
            store.split_story(story, [second, 10_000])  # not a member
        with pytest.raises(StoreError):
            store.split_story(story, [first, second])  # the whole story
        with pytest.raises(StoreError):
            store.split_story(story, [])
        with pytest.raises(StoreError):
            store.split_story(10_000, [first])
        assert story_of(store, second) == story  # the failed splits changed nothing
        assert store.story_links() == []

        new = store.split_story(story, [second])
        assert new != story
        assert (story_of(store, first), story_of(store, second)) == (story, new)
        assert (CANNOT, second, first) in store.story_links()
        StoryStage(store, embedder=embedder).run(now=NOW, touch=[story, new])
        for part, article_id in ((story, first), (new, second)):
            summary = store.get_story(part)
            assert summary is not None
            assert (summary.article_count, summary.original_article_id) == (1, article_id)
        # the other part is now related coverage from another story
        assert related_urls(store, first) == [url_of(store, second)]
    with Store.open(store_url) as store:
        assert (story_of(store, first), story_of(store, second)) == (story, new)
        assert (CANNOT, second, first) in store.story_links()
        third = put(store, news(LAUNCH_3, DAY + timedelta(hours=14)))[0]
        report = StoryStage(store, embedder=embedder).run(now=NOW)
        assert report.clustered == 1
        assert (story_of(store, first), story_of(store, second)) == (story, new)
        assert story_of(store, third) in (story, new)
        assert {s.id for s in store.list_stories()} == {story, new}


# -- 7. editor publish decisions --------------------------------------------------------------


def test_an_editor_decision_survives_runs_until_handed_back(
    store: Store, embedder: Embedder
) -> None:
    stage = StoryStage(store, StageConfig(publish_min_quality=0), embedder=embedder)
    first, second = put(
        store,
        news(LAUNCH_1, DAY + timedelta(hours=9)),
        news(LAUNCH_2, DAY + timedelta(hours=10, minutes=30)),
    )
    stage.run(now=NOW)
    assert article(store, first).published is True  # by rule
    assert store.editor_decisions([first, second]) == {}

    store.set_editor_published(first, False)
    assert article(store, first).published is False  # at once
    assert store.editor_decisions([first, second]) == {first: False}
    third = put(store, news(LAUNCH_3, DAY + timedelta(hours=14)))[0]
    report = stage.run(now=NOW)
    assert report.joined == 1 and story_of(store, third) == story_of(store, first)
    assert article(store, first).published is False  # the run touched the story; still off
    assert url_of(store, third) in related_urls(store, first)  # but it was updated
    assert article(store, third).published is True

    store.set_editor_published(first, None)
    assert store.editor_decisions([first]) == {}
    stage.run(now=NOW, touch=[story_of(store, first) or -1])
    assert article(store, first).published is True

    # an editor's True publishes at once; unknown articles are an error
    store.set_editor_published(second, True)
    assert article(store, second).published is True
    with pytest.raises(StoreError):
        store.set_editor_published(10_000, False)


# -- 8. heat ----------------------------------------------------------------------------------


def test_heat_history_is_hourly_and_articles_carry_their_story_heat(
    store: Store, embedder: Embedder
) -> None:
    ids = put(
        store,
        news(QUAKE_C1, DAY + timedelta(hours=9, minutes=20)),
        news(QUAKE_C2, DAY + timedelta(hours=9, minutes=35)),
        news(QUAKE_C3, DAY + timedelta(hours=11)),
    )
    for article_id in ids:
        assert article(store, article_id).heat in (None, -1)  # not clustered yet
    StoryStage(store, embedder=embedder).run(now=NOW)
    story_id = story_of(store, ids[0])
    assert story_id is not None and {story_of(store, i) for i in ids} == {story_id}
    story = store.get_story(story_id)
    assert story is not None
    assert 0 < story.heat <= 100
    for article_id in ids:
        assert article(store, article_id).heat == story.heat

    history = store.story_heat_history(story_id)
    times = [at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC) for at, _ in history]
    assert times[0] == DAY + timedelta(hours=10)
    assert times[-1] == NOW
    assert all((b - a) == timedelta(hours=1) for a, b in itertools.pairwise(times))
    values = [value for _, value in history]
    assert all(0 <= v <= 100 for v in values)
    assert values[-1] == story.heat
    assert max(values) > values[-1]  # it peaked after the third report and cooled since

    # a later run cools the story: its heat drops, its articles keep the heat last published
    StoryStage(store, embedder=embedder).run(now=NOW + timedelta(hours=24))
    cooled = store.get_story(story_id)
    assert cooled is not None
    assert cooled.heat < story.heat
    assert article(store, ids[0]).heat == story.heat
    assert len(store.story_heat_history(story_id)) == len(history) + 24


# -- 9. all or nothing ------------------------------------------------------------------------


def test_a_run_failing_inside_the_transaction_writes_nothing(
    store: Store, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = put(
        store,
        news(LAUNCH_1, DAY + timedelta(hours=9)),
        news(LAUNCH_2, DAY + timedelta(hours=10, minutes=30)),
        news(QUAKE_V1, DAY + timedelta(hours=6, minutes=10)),
    )
    placed: list[dict[int, int]] = []
    real_place = StoryWriter.place

    def recording_place(self: StoryWriter, placements: dict[int, int]) -> None:
        placed.append(dict(placements))
        real_place(self, placements)

    def failing_upsert(self: StoryWriter, articles: object) -> object:
        raise RuntimeError("disk full")

    monkeypatch.setattr(StoryWriter, "place", recording_place)
    monkeypatch.setattr(StoryWriter, "upsert_articles", failing_upsert)
    with pytest.raises(RuntimeError, match="disk full"):
        StoryStage(store, embedder=embedder).run(now=NOW)
    assert placed and set(placed[0]) == set(ids)  # the articles had been placed...
    # ...and that was rolled back
    assert {m.id for m in store.story_members(unclustered=True)} == set(ids)
    assert all(story_of(store, i) is None for i in ids)
    assert (count(store, "stories"), count(store, "story_heat")) == (0, 0)
    assert all(article(store, i).embedding is None for i in ids)

    monkeypatch.undo()
    report = StoryStage(store, embedder=embedder).run(now=NOW)
    assert (report.clustered, report.new_stories) == (3, 2)
    assert all(story_of(store, i) is not None for i in ids)
    assert all(article(store, i).embedding is not None for i in ids)
    assert count(store, "stories") == 2
