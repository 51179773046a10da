"""``topicwire topics``, ``explain`` and ``enrich``, and the enrich fields of ``extract``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import run
from topicwire.record import read_record


@pytest.fixture
def ai_site(tmp_path: Path, shared: Path) -> Path:
    """A site with the reference site's taxonomy."""
    root = tmp_path / "ai"
    topics = shared / "reference" / "everyday-ai" / "_data" / "topics"
    run("init", root, "--topic", "AI", "--topics-from", topics)
    return root


def test_explain_seed_000_shows_why_it_scores_low(ai_site: Path, shared: Path) -> None:
    seed = shared / "seeds" / "000_f53d050884749cbd.txt"
    shown = run("explain", "--site", ai_site, seed).stdout
    score = int(re.search(r"Quality (\d+)/100", shown).group(1))  # type: ignore[union-attr]
    assert score < 35
    for reason in ("filler", "FAQ", "repairs", "no author"):
        assert reason in shown, reason
    assert "AI" in shown and "keywords" in shown  # the topic evidence is listed too


def test_extract_in_a_site_reports_topics_type_locale_quality(ai_site: Path, shared: Path) -> None:
    seed = shared / "seeds" / "000_f53d050884749cbd.txt"
    data = json.loads(run("extract", "--site", ai_site, seed, "--format", "json").stdout)
    assert data["topics"][0] == "AI"
    assert data["type"] == "article" and data["locale"] == "en-US"
    assert data["quality"] < 35
    assert {s["name"] for s in data["qualitySignals"]} >= {"filler", "faq", "repairs"}
    assert "keywords" in data["topicEvidence"]["AI"]


def test_topics_tree_counts_and_enrich_again(ai_site: Path, shared: Path) -> None:
    run("import", "--site", ai_site, shared / "reference" / "everyday-ai" / "_news")
    enriched = run("enrich", "--site", ai_site).stdout
    assert "Enriched 24 article(s)" in enriched
    tree = run("topics", "--site", ai_site).stdout
    assert "AI (ai)" in tree and "Computer Vision (computer-vision)" in tree
    counts = dict(re.findall(r"([A-Za-z][\w ]+?) \([\w-]+\)\s+(\d+) article", tree))
    assert 10 <= int(counts["AI"]) < 24  # the off-topic ones (a pop song, a synth) are out
    assert all(int(counts[name]) <= int(counts["AI"]) for name in counts)
    # explain stored articles: evidence and signals come from the store
    off = run("explain", "--site", ai_site, "1").stdout  # the e-newsletter ad
    assert "off-topic" in off and "Quality" in off
    news = shared / "reference" / "everyday-ai" / "_news"
    chip = read_record(news / "2021-03-10-this-chip-for-ai-works-using-light-not-electrons.md")
    shown = run("explain", "--site", ai_site, chip.web_url or "").stdout
    assert "Topics" in shown and "AI" in shown and "Quality" in shown
