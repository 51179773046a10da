"""The stories commands on a real site: update, list, show, merge, split and review."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from conftest import run
from topicwire.site import open_site
from topicwire.store import Store
from topicwire.store.stories import CANNOT, MUST

DAY = datetime(2026, 3, 10, tzinfo=UTC)

#: (slug, provider domain, provider name, hours after midnight, headline, text)
RECORDS = [
    (
        "ferry-strike-1",
        "harbourgazette.example",
        "Harbour Gazette",
        7.0,
        "Ferry crews in Porvika walk out over rota changes",
        "Ferry crews in the port of Porvika walked out on Monday morning in a dispute over new "
        "rota changes, leaving about 4,000 commuters without a crossing. The Porvika Seafarers "
        "Union said 180 members joined the strike after talks with operator Bluewake Lines "
        "collapsed on Sunday night. Union secretary Ilse Brandt said the new rota would add "
        "two night shifts a week without extra pay. Bluewake Lines said it had offered a "
        "3 percent bonus and called the walkout unnecessary. Buses are carrying some "
        "passengers around the bay, adding an hour to the journey.",
    ),
    (
        "ferry-strike-2",
        "baytribune.example",
        "Bay Tribune",
        9.5,
        "Porvika ferry strike strands commuters as union rejects bonus",
        "Commuters in Porvika faced hour-long detours on Monday as ferry crews stayed on strike "
        "for a second shift. Ilse Brandt of the Porvika Seafarers Union said the 3 percent "
        "bonus offered by Bluewake Lines did not make up for two extra night shifts a week. "
        "About 180 crew members have stopped work, and Bluewake Lines cancelled all 46 "
        "crossings planned for the day. The regional transport office added buses around the "
        "bay to carry some of the 4,000 daily passengers.",
    ),
    (
        "ferry-strike-3",
        "coastline.example",
        "Coastline Weekly",
        13.0,
        "Bluewake Lines and union agree to mediation in Porvika ferry strike",
        "Bluewake Lines and the Porvika Seafarers Union agreed on Monday afternoon to meet a "
        "state mediator, raising hopes that ferries could sail again this week. Union "
        "secretary Ilse Brandt said crews would stay on strike until the mediator sets out a "
        "proposal on the disputed night shifts. Bluewake Lines said all 46 crossings would "
        "remain cancelled on Tuesday. Around 4,000 commuters rely on the ferries to cross the "
        "bay each day.",
    ),
    (
        "orchard-frost",
        "farmdesk.example",
        "Farm Desk",
        8.0,
        "Late frost damages apple blossom across the Lindaker valley",
        "A late frost on Sunday night damaged apple blossom across the Lindaker valley, "
        "growers said on Monday. Temperatures fell to minus 4 degrees in the lower orchards, "
        "where most of the region's 2,300 hectares of apple trees grow. Grower Tomas Heikel "
        "said up to half of his early blossom had turned brown by morning. The Lindaker "
        "Fruit Cooperative will count losses later this month and has asked the regional "
        "government for emergency support.",
    ),
]


def write_jsonl(path: Path) -> None:
    lines = []
    for slug, domain, name, hours, title, body in RECORDS:
        record = {
            "title": title,
            "excerpt": body.split(". ")[0] + ".",
            "publishedDateTime": (DAY + timedelta(hours=hours)).isoformat(),
            "webUrl": f"https://{domain}/news/{slug}",
            "provider": {"name": name, "domain": domain},
            "topics": ["AI"],
            "text": body,
        }
        lines.append(json.dumps(record))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def stories_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site with the records imported and clustered (shared by the tests of this module,
    which run in file order: the read-only ones first)."""
    base = tmp_path_factory.mktemp("cli-stories")
    site = base / "site"
    run("init", site, "--topic", "AI")
    write_jsonl(base / "items.jsonl")
    imported = run("import", "--site", site, base / "items.jsonl")
    assert "Imported 4 article(s): 4 new" in imported.stdout
    updated = run("stories", "update", "--site", site)
    # clustered 4, joined 0 (both stories are new), 2 new stories, no copies
    assert re.search(r"\b4\s+0\s+2\s+0\b", updated.stdout), updated.stdout
    return site


def tw(*args: str | int | Path, ok: bool = True) -> subprocess.CompletedProcess[str]:
    """``topicwire ARGS`` in a subprocess (ids may be given as ints)."""
    return run(*(a if isinstance(a, Path) else str(a) for a in args), ok=ok)


def open_store(site: Path) -> Store:
    return Store.open(open_site(site).database_url)


def ids_by_slug(store: Store) -> dict[str, int]:
    return {(s.article.web_url or "").rsplit("/", 1)[-1]: s.id for s in store.iter_articles()}


def test_stories_lists_and_shows_the_coverage(stories_site: Path) -> None:
    with open_store(stories_site) as store:
        ids = ids_by_slug(store)
        stories = store.list_stories()
        assert len(stories) == 2
        strike = store.get_article(ids["ferry-strike-1"])
        assert strike is not None and strike.story_id is not None
        story = store.get_story(strike.story_id)
        assert story is not None
        assert (story.article_count, story.provider_count) == (3, 3)

    listed = tw("stories", "--site", stories_site)
    assert "Ferry crews in Porvika walk out over rota changes" in listed.stdout
    assert "Late frost damages apple blossom across the Lindaker valley" in listed.stdout
    assert "heat" in listed.stdout and "original report" in listed.stdout
    row = next(line for line in listed.stdout.splitlines() if "Ferry crews in Porvika" in line)
    assert re.match(rf"\s*{story.id}\s+{story.heat}\s", row), row
    assert "Harbour Gazette" in row  # the provider of the original report

    shown = tw("story", story.id, "--site", stories_site)
    assert f"story {story.id} · heat {story.heat}" in shown.stdout
    assert "3 provider(s) · 3 article(s)" in shown.stdout
    lines = shown.stdout.splitlines()
    original = [line for line in lines if "original report" in line]
    assert len(original) == 1
    assert original[0].lstrip().startswith(str(ids["ferry-strike-1"]))
    for domain in ("harbourgazette.example", "baytribune.example", "coastline.example"):
        assert domain in shown.stdout
    assert "farmdesk.example" not in shown.stdout


def test_bad_ids_exit_1_with_a_clear_error(stories_site: Path) -> None:
    with open_store(stories_site) as store:
        ids = ids_by_slug(store)
        strike = store.get_article(ids["ferry-strike-1"])
        assert strike is not None and strike.story_id is not None
        story = strike.story_id

    missing = tw("story", 9999, "--site", stories_site, ok=False)
    assert missing.returncode == 1
    assert "no story 9999" in missing.stderr + missing.stdout

    unknown = tw("stories", "merge", story, 9999, "--site", stories_site, ok=False)
    assert unknown.returncode == 1
    assert "no story 9999" in unknown.stderr + unknown.stdout

    nobody = tw("review", 9999, "--unpublish", "--site", stories_site, ok=False)
    assert nobody.returncode == 1
    assert "no article 9999" in nobody.stderr + nobody.stdout

    with open_store(stories_site) as store:  # nothing changed
        assert store.story_links() == []
        assert store.editor_decisions(ids.values()) == {}
        assert len(store.list_stories()) == 2


def test_merge_split_and_review(stories_site: Path) -> None:
    with open_store(stories_site) as store:
        ids = ids_by_slug(store)
        strike_story = store.get_article(ids["ferry-strike-1"])
        frost_story = store.get_article(ids["orchard-frost"])
        assert strike_story is not None and frost_story is not None
        keep, other = strike_story.story_id, frost_story.story_id
        assert keep is not None and other is not None and keep != other

    merged = tw("stories", "merge", keep, other, "--site", stories_site)
    assert f"Merged story {other} into story {keep}." in merged.stdout
    with open_store(stories_site) as store:
        assert store.get_story(other) is None
        story = store.get_story(keep)
        assert story is not None
        assert (story.article_count, story.provider_count) == (4, 4)  # the stage ran
        assert (MUST, ids["ferry-strike-1"], ids["orchard-frost"]) in store.story_links()

    split = tw("stories", "split", keep, ids["orchard-frost"], "--site", stories_site)
    found = re.search(rf"Moved 1 article\(s\) of story {keep} to new story (\d+)\.", split.stdout)
    assert found, split.stdout
    new = int(found.group(1))
    with open_store(stories_site) as store:
        moved = store.get_article(ids["orchard-frost"])
        assert moved is not None and moved.story_id == new
        kept = store.get_story(keep)
        assert kept is not None and kept.article_count == 3
        part = store.get_story(new)
        assert part is not None
        assert (part.article_count, part.original_article_id) == (1, ids["orchard-frost"])
        assert (CANNOT, ids["orchard-frost"], ids["ferry-strike-1"]) in store.story_links()

    target = ids["ferry-strike-2"]
    off = tw("review", target, "--unpublish", "--site", stories_site)
    assert f"Article {target}: not published (by editor)." in off.stdout
    with open_store(stories_site) as store:
        assert store.editor_decisions([target]) == {target: False}
        stored = store.get_article(target)
        assert stored is not None and stored.article.published is False

    back = tw("review", target, "--auto", "--site", stories_site)
    with open_store(stories_site) as store:
        assert store.editor_decisions([target]) == {}
        stored = store.get_article(target)
        assert stored is not None
        by_rule = (stored.article.quality or 0) >= 50 and (stored.article.heat or -1) >= 0
        assert stored.article.published is by_rule
    state = "published" if by_rule else "not published"
    assert f"Article {target}: {state} (by rule)." in back.stdout


def _publish_counts(output: str) -> dict[str, int]:
    """The publish table's counts, by name."""
    lines = {
        ("articles", "stories", "topics", "images"): r"site\s+(\d+) articles, (\d+) stories, "
        r"(\d+) topics, (\d+) images",
        ("rendered", "kept", "read"): r"pages\s+(\d+) rendered, (\d+) kept as they were; "
        r"(\d+) articles read",
        ("written", "unchanged", "removed"): r"files\s+(\d+) written, (\d+) unchanged, "
        r"(\d+) removed",
    }
    counts: dict[str, int] = {}
    for names, pattern in lines.items():
        found = re.search(pattern, output)
        assert found is not None, output
        counts.update(zip(names, map(int, found.groups()), strict=True))
    return counts


def test_publish_renders_only_what_changed_and_full_renders_everything(stories_site: Path) -> None:
    first = _publish_counts(tw("publish", "--site", stories_site).stdout)
    assert first["rendered"] > 0 and first["kept"] == 0 and first["written"] > 0
    assert (stories_site / "out" / "index.html").is_file()
    again = _publish_counts(tw("publish", "--site", stories_site).stdout)
    assert again["rendered"] == 0 and again["read"] < first["read"] + 1
    assert again["kept"] == first["rendered"]
    full = _publish_counts(tw("publish", "--full", "--site", stories_site).stdout)
    assert full["rendered"] == first["rendered"] and full["kept"] == 0
    # the same pages: nothing but the home page (it shows the publish time) is written
    assert full["written"] <= 1 and full["removed"] == 0
