"""extract_text on seed 000 (plain text) and markdown; seed 001's excerpt repair."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from topicwire.extract import extract_text, repair_field
from topicwire.extract.text import strip_markdown

SEED_000 = "000_f53d050884749cbd.txt"


def test_seed_000_through_extract_text(shared: Path) -> None:
    raw = (shared / "seeds" / SEED_000).read_text("utf-8")
    page = extract_text(raw, url="https://example.com/amazon-ai-layoffs?utm_source=feed")
    assert page.title == "Amazon AI Layoffs | More Job Cuts Coming"
    text = page.text
    for good in ("this isn\u2019t", "layoffs might", "takeaway isn\u2019t"):
        assert good in text
    for bad in ("thisisn\u2019t", "layoffsmight", "takeawayisn\u2019t", "Source: Layoffs"):
        assert bad not in text
    assert "Leave a Reply" not in text and "Required fields are marked" not in text
    assert text.count("The Real Reason Behind the Cuts | Beyond Cost Savings") == 1
    assert not text.startswith("Layoffs")
    for kind in ("glued-words", "caption", "repeated-heading", "boilerplate"):
        assert page.repairs[kind] > 0, kind
    assert page.excerpt.startswith("Okay, so the news is out")
    assert 150 <= len(page.excerpt) <= 300
    assert page.canonical_url == "https://example.com/amazon-ai-layoffs"
    assert page.original_url == "https://example.com/amazon-ai-layoffs?utm_source=feed"
    assert page.provider_domain == "example.com"


def test_seed_001_excerpt_mojibake(seed_path: Path) -> None:
    line = next(
        line for line in seed_path.read_text("utf-8").splitlines() if line.startswith("excerpt:")
    )
    excerpt = line.removeprefix("excerpt:").strip().strip('"')
    fixed, repairs = repair_field(excerpt)
    assert fixed.startswith("Amazon\u2019s Alexa division")
    assert "\u00e2\u20ac" not in fixed
    assert repairs == {"mojibake": 1}


def test_front_matter_and_markdown() -> None:
    text = (
        "# Big news today\n\n"
        "![A robot](https://img.example.com/robot.jpg)\n\n"
        "The [company](https://example.com) said **on Monday** that it would `ship` the model "
        "to every customer by the end of the year, after months of testing with partners. "
        "It added that prices would not change for existing subscribers this year.\n\n"
        "## Details\n\nMore text follows here."
    )
    front = {
        "title": "Big news today",
        "publishedDateTime": "2024-02-03T04:05:06Z",
        "originalUrl": "https://news.example.com/big-news?fbclid=1",
        "provider": {"name": "Example Wire"},
    }
    page = extract_text(text, markdown=True, front_matter=front)
    assert page.title == "Big news today"
    assert not page.text.startswith("Big news today")
    assert "The company said on Monday that it would ship the model" in page.text
    assert "](" not in page.text and "#" not in page.text
    assert page.published_at == datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert page.provider_name == "Example Wire"
    assert page.canonical_url == "https://news.example.com/big-news"
    assert page.to_article().body == page.text


def test_strip_markdown_keeps_plain_text() -> None:
    plain = "Nothing to strip here, not even snake_case_name or 2 * 3 = 6."
    assert strip_markdown(plain) == plain
