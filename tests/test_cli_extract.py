"""``topicwire extract``: the seeds, as the issue's acceptance command prints them."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run


def test_extract_seed_000_shows_the_repairs(shared: Path) -> None:
    seed = shared / "seeds" / "000_f53d050884749cbd.txt"
    result = run("extract", seed, "--format", "json")
    data = json.loads(result.stdout)
    text = data["text"]
    for fixed in ("this isn\u2019t", "layoffs might", "takeaway isn\u2019t", "layoffs. More"):
        assert fixed in text, fixed
    for broken in ("thisisn\u2019t", "layoffsmight", "takeawayisn\u2019t", "Source: Layoffs"):
        assert broken not in text, broken
    assert "Leave a Reply" not in text and "Required fields are marked" not in text
    assert text.count("The Real Reason Behind the Cuts | Beyond Cost Savings") == 1
    repairs = data["repairs"]
    for kind in ("glued-words", "caption", "repeated-heading", "boilerplate", "stray-space"):
        assert repairs.get(kind, 0) > 0, kind
    assert data["title"] == "Amazon AI Layoffs | More Job Cuts Coming"
    assert 150 <= len(data["excerpt"]) <= 300
    assert "body" not in data and data["topics"] == []


def test_extract_html_from_stdin_jsonl_and_md(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        '<html><head><meta charset="utf-8"><title>Amazon\u00e2\u20ac\u2122s plan</title>'
        '<meta property="og:site_name" content="Example Wire"></head><body><article>'
        "<h1>Amazon\u00e2\u20ac\u2122s plan</h1>"
        + "".join(
            f"<p>Paragraph {n} of the report says the company will change course.</p>"
            for n in range(6)
        )
        + "</article></body></html>",
        encoding="utf-8",
    )
    lines = run("extract", page, page, "--format", "jsonl").stdout.splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert first["path"] == str(page)
    assert first["title"] == "Amazon\u2019s plan"
    assert first["repairs"]["mojibake"] >= 1
    record = run("extract", page, "--format", "md", "--url", "https://example.com/a?utm_source=x")
    assert record.stdout.startswith('---\ncategory: news\ntitle: "Amazon\u2019s plan"\n')
    assert 'webUrl: "https://example.com/a"' in record.stdout


def test_extract_reports_a_bad_input_and_goes_on(tmp_path: Path) -> None:
    good = tmp_path / "note.txt"
    good.write_text("A short title\n\nA paragraph of plain text about a model release.\n", "utf-8")
    result = run("extract", tmp_path / "missing.html", good, "--format", "jsonl", ok=False)
    assert result.returncode == 1
    assert "missing.html" in result.stderr
    assert json.loads(result.stdout)["title"] == "A short title"
