"""``topicwire cluster FILE.jsonl``: stories for any JSON Lines file, no site needed."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run

ITEMS = [
    {
        "id": "a1",
        "title": "Magnitude 6.4 earthquake strikes off Valdoria coast",
        "text": "A magnitude 6.4 earthquake struck off the coast of Valdoria early on Monday, "
        "the national seismic agency said. Buildings shook in the port city of Marlo and "
        "officials reported two injuries. The quake hit at a depth of 12 km.",
        "publishedDateTime": "2026-03-02T06:10:00Z",
        "provider": "wire.example",
    },
    {
        "id": "b1",
        "title": "Valdoria quake: 6.4 tremor shakes Marlo, two hurt",
        "text": "An earthquake of magnitude 6.4 shook Marlo on Monday morning, injuring two "
        "people, Valdoria's seismic agency said. The tremor was centred 12 km below the sea "
        "off the Valdoria coast.",
        "publishedDateTime": "2026-03-02T07:30:00Z",
        "provider": "daily.example",
    },
    {
        "id": "c1",
        "title": "Strong earthquake hits northern Tessaly highlands",
        "text": "A magnitude 5.9 earthquake hit the northern Tessaly highlands on Thursday, "
        "damaging roads near the town of Orvik, the regional governor said. No deaths were "
        "reported; rescue teams searched three villages.",
        "publishedDateTime": "2026-03-05T14:00:00Z",
        "provider": "daily.example",
    },
    {
        "id": "d1",
        "title": "Chipmaker delays accelerator launch to next year",
        "text": "A chipmaker pushed the launch of its first AI accelerator back by six months, "
        "citing problems with the packaging of its memory. Its shares fell 9 percent.",
        "publishedDateTime": "2026-03-03T10:00:00Z",
        "provider": "tech.example",
    },
]


def test_cluster_prints_one_story_per_item(tmp_path: Path) -> None:
    source = tmp_path / "items.jsonl"
    source.write_text("".join(json.dumps(item) + "\n" for item in ITEMS), encoding="utf-8")
    lines = run("cluster", source, cwd=tmp_path).stdout.splitlines()
    stories = {row["id"]: row["story"] for row in map(json.loads, lines)}
    assert list(stories) == ["a1", "b1", "c1", "d1"]  # input order
    assert stories["a1"] == stories["b1"]  # two outlets, one event
    assert stories["c1"] != stories["a1"]  # another earthquake is another story
    assert len({stories["a1"], stories["c1"], stories["d1"]}) == 3


def test_cluster_names_a_bad_line(tmp_path: Path) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_text(json.dumps(ITEMS[0]) + "\n" + '{"id": "x", "title": "no text"}\n', "utf-8")
    result = run("cluster", source, cwd=tmp_path, ok=False)
    assert result.returncode == 1
    assert f"{source}:2: missing text" in result.stderr
