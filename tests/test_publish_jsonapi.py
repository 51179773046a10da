"""The static JSON API renderer: listings, hot listings, stories, topic index and schemas."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from publish_fixtures import HOSTILE_EXCERPT, HOSTILE_TITLE, NOW, make_snapshot
from topicwire.model import Provider, Topic
from topicwire.publish import jsonapi
from topicwire.publish.jsonapi import SCHEMA_NAMES, render_json_api, schema
from topicwire.publish.snapshot import PublishedArticle, Snapshot

HARBOR = "/news/2026-11-19-harbor-unveils-a-simulation-trained-arm/"


def _load(files: dict[str, bytes], path: str) -> Any:
    return json.loads(files[path].decode("utf-8"))


def _schema_for(path: str) -> str:
    if path.startswith("api/news/"):
        return "listing"
    if path.startswith("api/stories/"):
        return "story"
    if path == "api/topics/index.json":
        return "topics"
    raise AssertionError(f"no schema for {path}")


def _listing(files: dict[str, bytes], topic: str, page: int = 1) -> Any:
    return _load(files, f"api/news/{topic}/page/{page}/index.json")


def _many(count: int, *, max_pages: int = 9) -> Snapshot:
    """The fixture with ``count`` more published AI articles, hourly from 6 hours ago (n=0)."""
    snapshot = make_snapshot()
    template = snapshot.articles[4]
    extra = {}
    for n in range(count):
        article = template.article.model_copy(
            update={
                "title": f"Extra {n}",
                "published_at": NOW - timedelta(hours=6 + n),
                "web_url": f"https://beam.example/extra/{n}",
            }
        )
        extra[100 + n] = dataclasses.replace(
            template, id=100 + n, article=article, story_id=None, slug=f"extra-{n}"
        )
    return dataclasses.replace(
        snapshot, articles={**snapshot.articles, **extra}, max_pages=max_pages
    )


# -- schemas -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schemas_are_valid_draft_2020_12(name: str) -> None:
    loaded = schema(name)
    assert loaded["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(loaded)


def test_schema_returns_a_fresh_copy_and_refuses_unknown_names() -> None:
    first = schema("listing")
    first["title"] = "changed"
    assert schema("listing")["title"] != "changed"
    with pytest.raises(ValueError, match="nope"):
        schema("nope")


def test_story_coverage_item_matches_listing_item() -> None:
    item = schema("listing")["$defs"]["item"]
    cover = schema("story")["$defs"]["coverageItem"]
    assert cover["required"] == [*item["required"], "copyOf"]
    same = {k: v for k, v in cover["properties"].items() if k not in ("path", "copyOf")}
    assert same == {k: v for k, v in item["properties"].items() if k != "path"}
    for name in ("image", "provider", "dateTime", "urlPath"):
        assert schema("story")["$defs"][name] == schema("listing")["$defs"][name]


@pytest.mark.parametrize("unpublished", [False, True])
@pytest.mark.parametrize("base_url", ["", "https://example.org/ai"])
def test_every_output_validates_against_its_schema(unpublished: bool, base_url: str) -> None:
    files = render_json_api(make_snapshot(include_unpublished=unpublished, base_url=base_url))
    checked = 0
    for path, data in files.items():
        assert path.startswith("api/")
        assert data.endswith(b"\n")
        if path.startswith("api/schemas/"):
            continue
        Draft202012Validator(schema(_schema_for(path))).validate(json.loads(data))
        checked += 1
    assert checked == len(files) - len(SCHEMA_NAMES)


def test_schemas_are_published_beside_the_outputs() -> None:
    files = render_json_api(make_snapshot())
    for name in SCHEMA_NAMES:
        assert _load(files, f"api/schemas/{name}.schema.json") == schema(name)


def test_schema_rejects_a_missing_key() -> None:
    files = render_json_api(make_snapshot())
    listing = _listing(files, "ai")
    del listing["value"][0]["webUrl"]
    assert not Draft202012Validator(schema("listing")).is_valid(listing)


# -- listings ----------------------------------------------------------------------------------


def test_file_set() -> None:
    files = render_json_api(make_snapshot())
    assert set(files) == {
        "api/news/ai/page/1/index.json",
        "api/news/ai/page/2/index.json",
        "api/news/ai/hot/index.json",
        "api/news/robot-learning/page/1/index.json",
        "api/news/robot-learning/hot/index.json",
        "api/news/ai-policy/page/1/index.json",
        "api/news/ai-policy/hot/index.json",
        "api/stories/10/index.json",
        "api/stories/20/index.json",
        "api/topics/index.json",
        "api/schemas/listing.schema.json",
        "api/schemas/story.schema.json",
        "api/schemas/topics.schema.json",
    }


def test_listing_pages_newest_first_with_next_page_chain() -> None:
    files = render_json_api(make_snapshot())
    first, second = _listing(files, "ai", 1), _listing(files, "ai", 2)
    assert first["title"] == "AI"
    assert (first["path"], first["page"]) == ("/api/news/ai/page/1/", 1)
    assert first["nextPage"] == "/api/news/ai/page/2/"
    assert (second["path"], second["page"], second["nextPage"]) == ("/api/news/ai/page/2/", 2, None)
    titles = [i["title"] for i in first["value"] + second["value"]]
    assert titles == [
        HOSTILE_TITLE,
        "EU agrees AI audit rules",
        "Why Harbor's arm matters",
        "Harbor unveils a simulation-trained arm",
    ]
    dates = [i["publishedDateTime"] for i in first["value"] + second["value"]]
    assert dates == sorted(dates, reverse=True)


def test_listings_hold_only_published_articles() -> None:
    for unpublished in (False, True):
        files = render_json_api(make_snapshot(include_unpublished=unpublished))
        items = [i for p in (1, 2) for i in _listing(files, "ai", p)["value"]]
        urls = {i["webUrl"] for i in items}
        assert "https://ledger.example/story/2" not in urls  # unpublished copy
        assert "https://wire.example/story/6" not in urls  # unpublished, undated
        assert len(items) == 4
        assert all(i["path"] for i in items)


def test_item_fields() -> None:
    files = render_json_api(make_snapshot())
    item = _listing(files, "ai", 2)["value"][1]
    assert item == {
        "path": HARBOR,
        "title": "Harbor unveils a simulation-trained arm",
        "type": "article",
        "heat": 40,
        "sourceUrl": "https://wire.example/story/1?utm_source=feed",
        "webUrl": "https://wire.example/story/1",
        "excerpt": "Summary 1 of Harbor unveils a simulation-trained arm.",
        "publishedDateTime": "2026-11-19T09:00:00Z",
        "updatedDateTime": None,
        "provider": {
            "domain": "wire.example",
            "images": [
                {
                    "width": 64,
                    "height": 64,
                    "url": "/images/logos/wire.example.png",
                    "isCached": True,
                    "attribution": None,
                    "title": None,
                }
            ],
            "name": "Wire Service",
        },
        "images": [
            {
                "width": 1200,
                "height": 675,
                "url": "/cache/images/1.jpg",
                "isCached": True,
                "attribution": None,
                "title": "Picture 1",
            }
        ],
        "locale": "en-US",
        "categories": ["news"],
        "topics": ["AI", "Robot Learning"],
    }


def test_web_url_is_the_outlets_not_ours() -> None:
    files = render_json_api(make_snapshot(base_url="https://site.example"))
    for item in _listing(files, "ai")["value"] + _listing(files, "ai", 2)["value"]:
        assert not item["webUrl"].startswith("https://site.example")
        assert item["webUrl"].startswith(f"https://{item['provider']['domain']}/story/")
        assert item["path"].startswith("/news/")


def test_paths_follow_the_base_url_path() -> None:
    files = render_json_api(make_snapshot(base_url="https://example.org/ai/"))
    first = _listing(files, "ai")
    assert first["path"] == "/ai/api/news/ai/page/1/"
    assert first["nextPage"] == "/ai/api/news/ai/page/2/"
    assert _listing(files, "ai", 2)["value"][1]["path"] == "/ai" + HARBOR
    assert _load(files, "api/stories/10/index.json")["path"] == "/ai/stories/10/"


def test_missing_values_are_null_or_empty_never_omitted() -> None:
    snapshot = make_snapshot()
    bare = snapshot.articles[4].article.model_copy(
        update={
            "excerpt": None,
            "web_url": None,
            "type": None,
            "heat": None,
            "locale": None,
            "category": None,
            "images": [],
            "provider": None,
            "topics": ["AI"],
        }
    )
    snapshot = dataclasses.replace(
        snapshot,
        articles={**snapshot.articles, 4: dataclasses.replace(snapshot.articles[4], article=bare)},
    )
    files = render_json_api(snapshot)
    item = next(i for i in _listing(files, "ai")["value"] if i["path"].endswith("-rules/"))
    assert item["excerpt"] is None and item["type"] is None and item["heat"] is None
    assert item["locale"] is None
    assert item["webUrl"] == "https://beam.example/story/4?utm_source=feed"  # falls back
    assert item["images"] == [] and item["categories"] == []
    assert item["provider"] == {"domain": None, "images": [], "name": None}
    Draft202012Validator(schema("listing")).validate(_listing(files, "ai"))


def test_provider_keeps_its_own_images_and_name() -> None:
    snapshot = make_snapshot()
    own = Provider.from_data(
        {
            "name": "Beam (own)",
            "domain": "beam.example",
            "images": [{"url": "https://cdn.example/b.png", "width": 10, "height": 10}],
        }
    )
    article = snapshot.articles[4].article.model_copy(update={"provider": own})
    snapshot = dataclasses.replace(
        snapshot,
        articles={
            **snapshot.articles,
            4: dataclasses.replace(snapshot.articles[4], article=article),
        },
    )
    item = _listing(render_json_api(snapshot), "ai-policy")["value"][1]
    assert item["provider"]["name"] == "Beam (own)"
    assert [i["url"] for i in item["provider"]["images"]] == ["https://cdn.example/b.png"]


def test_max_pages_caps_the_listing() -> None:
    files = render_json_api(_many(30, max_pages=3))
    pages = sorted(p for p in files if p.startswith("api/news/ai/page/"))
    assert pages == [f"api/news/ai/page/{n}/index.json" for n in (1, 2, 3)]
    assert _listing(files, "ai", 2)["nextPage"] == "/api/news/ai/page/3/"
    assert _listing(files, "ai", 3)["nextPage"] is None
    items = [i for n in (1, 2, 3) for i in _listing(files, "ai", n)["value"]]
    assert len(items) == 6  # page_size 2 * 3 pages
    assert [i["title"] for i in items[:2]] == [HOSTILE_TITLE, "EU agrees AI audit rules"]
    assert [i["title"] for i in items[2:]] == ["Extra 0", "Extra 1", "Extra 2", "Extra 3"]
    # the topic index still counts every published article of the topic
    topics = _load(files, "api/topics/index.json")["value"]
    assert next(t for t in topics if t["id"] == "ai")["count"] == 34


def test_page_count_without_cap() -> None:
    files = render_json_api(_many(5))  # 9 AI articles -> 5 pages of 2
    pages = sorted(p for p in files if p.startswith("api/news/ai/page/"))
    assert len(pages) == 5
    assert len(_listing(files, "ai", 5)["value"]) == 1
    chain, page = [], _listing(files, "ai", 1)
    while page["nextPage"] is not None:
        chain.append(page["nextPage"])
        page = _load(files, page["nextPage"].lstrip("/") + "index.json")
    assert chain == [f"/api/news/ai/page/{n}/" for n in (2, 3, 4, 5)]


def test_empty_topic_still_has_page_one() -> None:
    snapshot = make_snapshot()
    empty = Topic.from_data({"_id": "quantum", "name": "Quantum", "parent": "AI"})
    files = render_json_api(dataclasses.replace(snapshot, topics=(*snapshot.topics, empty)))
    listing = _listing(files, "quantum")
    assert listing == {
        "title": "Quantum",
        "path": "/api/news/quantum/page/1/",
        "page": 1,
        "value": [],
        "nextPage": None,
    }
    assert "api/news/quantum/page/2/index.json" not in files
    assert _load(files, "api/news/quantum/hot/index.json")["value"] == []
    entry = _load(files, "api/topics/index.json")["value"][-1]
    assert entry == {
        "id": "quantum",
        "name": "Quantum",
        "parent": "ai",
        "description": None,
        "path": "/api/news/quantum/page/1/",
        "hotPath": "/api/news/quantum/hot/",
        "count": 0,
    }


# -- hot ---------------------------------------------------------------------------------------


def test_hot_listing_filters_by_minimum_heat_hottest_first() -> None:
    snapshot = make_snapshot()
    articles = dict(snapshot.articles)
    third = articles[3]
    articles[3] = dataclasses.replace(third, article=third.article.model_copy(update={"heat": 90}))
    files = render_json_api(dataclasses.replace(snapshot, articles=articles, minimum_heat=41))
    hot = _load(files, "api/news/ai/hot/index.json")
    assert (hot["path"], hot["page"], hot["nextPage"]) == ("/api/news/ai/hot/", 1, None)
    # 3 (90), then 5 and 4 (62 both: newest first); 1 (40) is below the minimum; page_size 2
    assert [i["heat"] for i in hot["value"]] == [90, 62]
    assert [i["title"] for i in hot["value"]] == ["Why Harbor's arm matters", HOSTILE_TITLE]
    robots = _load(files, "api/news/robot-learning/hot/index.json")["value"]
    assert [i["title"] for i in robots] == ["Why Harbor's arm matters"]


def test_hot_listing_includes_the_minimum() -> None:
    files = render_json_api(dataclasses.replace(make_snapshot(), minimum_heat=40))
    robots = _load(files, "api/news/robot-learning/hot/index.json")["value"]
    assert [i["heat"] for i in robots] == [40, 40]
    files = render_json_api(make_snapshot())  # minimum 30
    assert [i["heat"] for i in _load(files, "api/news/ai-policy/hot/index.json")["value"]] == [
        62,
        62,
    ]


# -- stories -----------------------------------------------------------------------------------


def test_story_with_coverage_and_copy() -> None:
    story = _load(render_json_api(make_snapshot()), "api/stories/10/index.json")
    assert story["id"] == 10
    assert story["title"] == "Harbor unveils a simulation-trained arm"
    assert (story["heat"], story["providerCount"]) == (21, 3)
    assert story["path"] == "/stories/10/"
    assert story["firstPublishedDateTime"] == "2026-11-19T09:00:00Z"
    assert story["lastPublishedDateTime"] == "2026-11-19T15:00:00Z"
    assert story["original"]["path"] == HARBOR
    assert story["original"]["copyOf"] is None
    coverage = story["coverage"]
    assert [c["webUrl"] for c in coverage] == [
        "https://wire.example/story/1",
        "https://ledger.example/story/2",
        "https://beam.example/story/3",
    ]
    assert [c["path"] for c in coverage] == [
        HARBOR,
        None,
        "/news/2026-11-19-why-harbors-arm-matters/",
    ]
    assert [c["copyOf"] for c in coverage] == [None, HARBOR, None]
    # the copy's provider logo comes from the registry
    assert coverage[1]["provider"]["images"][0]["url"] == "/images/logos/ledger.example.png"


def test_story_history_is_hourly() -> None:
    story = _load(render_json_api(make_snapshot()), "api/stories/20/index.json")
    history = story["history"]
    assert len(history) == 6
    assert history[0] == {"at": "2026-11-20T10:00:00Z", "heat": 56}
    assert history[-1]["at"] == "2026-11-20T15:00:00Z"
    assert max(h["heat"] for h in history) == 62


def test_stories_get_a_file_when_they_have_a_page() -> None:
    files = render_json_api(make_snapshot())
    assert "api/stories/30/index.json" not in files  # its only article is coverage-only
    assert "api/stories/10/index.json" in files
    # with every article in the snapshot (publish --all), story 30 and article 6 have pages
    everything = make_snapshot(include_unpublished=True)
    files = render_json_api(everything)
    story = _load(files, "api/stories/30/index.json")
    assert story["coverage"][0]["path"] == f"/{everything.articles[6].page_path}"
    assert story["coverage"][0]["publishedDateTime"] is None
    assert story["firstPublishedDateTime"] is None and story["history"] == []
    copy = _load(files, "api/stories/10/index.json")["coverage"][1]
    assert copy["copyOf"] == HARBOR
    assert copy["path"] is not None


def test_story_with_unknown_original_and_missing_member() -> None:
    snapshot = make_snapshot()
    story = dataclasses.replace(snapshot.stories[20], original_id=None, article_ids=(4, 5, 999))
    files = render_json_api(dataclasses.replace(snapshot, stories={20: story}))
    data = _load(files, "api/stories/20/index.json")
    assert data["original"] is None
    assert len(data["coverage"]) == 2
    Draft202012Validator(schema("story")).validate(data)


def test_copy_of_an_original_without_a_page() -> None:
    snapshot = make_snapshot()
    copy = dataclasses.replace(snapshot.articles[3], copy_of_id=2)  # 2 is coverage-only
    files = render_json_api(dataclasses.replace(snapshot, articles={**snapshot.articles, 3: copy}))
    coverage = _load(files, "api/stories/10/index.json")["coverage"]
    assert coverage[2]["copyOf"] is None
    assert coverage[2]["path"] == "/news/2026-11-19-why-harbors-arm-matters/"


# -- topic index -------------------------------------------------------------------------------


def test_topic_index() -> None:
    index = _load(render_json_api(make_snapshot()), "api/topics/index.json")
    assert index["title"] == "topicwire test site"
    assert index["path"] == "/api/topics/"
    assert [(t["id"], t["name"], t["parent"], t["count"]) for t in index["value"]] == [
        ("ai", "AI", None, 4),
        ("robot-learning", "Robot Learning", "ai", 2),
        ("ai-policy", "AI Policy", "ai", 2),
    ]
    assert index["value"][1]["description"] == "News about Robot Learning."
    assert index["value"][1]["path"] == "/api/news/robot-learning/page/1/"


# -- bytes -------------------------------------------------------------------------------------


def test_rendering_is_deterministic() -> None:
    first = render_json_api(make_snapshot())
    second = render_json_api(make_snapshot())
    assert list(first) == list(second)
    assert first == second
    shuffled = make_snapshot()
    shuffled = dataclasses.replace(
        shuffled, articles=dict(reversed(list(shuffled.articles.items())))
    )
    assert render_json_api(shuffled) == first


def test_output_format() -> None:
    files = render_json_api(make_snapshot())
    raw = files["api/topics/index.json"]
    data = json.loads(raw)
    # compact UTF-8 with a final newline (no indentation: smaller, and encoded in C)
    compact = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    assert raw == (compact + "\n").encode("utf-8")


def test_hostile_markup_survives_as_exact_data() -> None:
    files = render_json_api(make_snapshot())
    item = _listing(files, "ai-policy")["value"][0]
    assert item["title"] == HOSTILE_TITLE
    assert item["excerpt"] == HOSTILE_EXCERPT
    story = _load(files, "api/stories/20/index.json")
    assert story["coverage"][1]["title"] == HOSTILE_TITLE


def test_unicode_is_written_as_utf8_and_lone_surrogates_do_not_break_it() -> None:
    snapshot = make_snapshot()
    tricky = 'Café \u2028 ☃ "quoted" \\ back\x00slash \ud800 end'
    article: PublishedArticle = snapshot.articles[4]
    changed = dataclasses.replace(
        article, article=article.article.model_copy(update={"title": tricky})
    )
    files = render_json_api(
        dataclasses.replace(snapshot, articles={**snapshot.articles, 4: changed})
    )
    raw = files["api/news/ai-policy/page/1/index.json"]
    assert "Café".encode() in raw
    title = json.loads(raw)["value"][1]["title"]
    assert title == tricky.replace("\ud800", "\ufffd")


# -- the writer ------------------------------------------------------------------------------------

_JSON_TEXT = st.text(
    # (lone surrogates: test_unicode_is_written_as_utf8_and_lone_surrogates_do_not_break_it)
    alphabet=st.characters(blacklist_categories=("Cs",)),
    max_size=40,
)
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**62), 2**62) | _JSON_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_JSON_TEXT, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_JSON_TEXT, _JSON_VALUES, max_size=6))
def test_dump_writes_the_standard_librarys_compact_json(data: dict[str, Any]) -> None:
    """The API files (written with orjson) are byte for byte what the standard library's compact
    dump writes, for every kind of value they hold: control characters, quotes, backslashes,
    line and paragraph separators, DEL and characters outside the BMP included."""
    expected = (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    assert jsonapi._dump(data) == expected
