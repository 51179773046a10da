"""``topicwire sources``: add, import (tolerant), export, and the table."""

from __future__ import annotations

from pathlib import Path

from conftest import run
from topicwire.sources import read_opml


def test_add_list_export(site: Path, tmp_path: Path) -> None:
    added = run(
        "sources", "add", "--site", site, "https://a.example/feed.xml", "https://b.example/"
    )
    assert "Added 2 source(s); 0 already known." in added.stdout
    again = run("sources", "add", "--site", site, "https://a.example/feed.xml")
    assert "Added 0 source(s); 1 already known." in again.stdout
    table = run("sources", "--site", site).stdout
    assert "2 source(s)" in table and "https://a.example/feed.xml" in table
    exported = run("sources", "export", "--site", site).stdout
    urls = [s.url for s in read_opml(exported.encode()).sources]
    assert urls == ["https://a.example/feed.xml", "https://b.example/"]
    # the site's own sources.opml follows the store
    on_disk = read_opml((site / "sources.opml").read_bytes()).sources
    assert [s.url for s in on_disk] == urls


def test_add_refuses_other_schemes(site: Path) -> None:
    result = run("sources", "add", "--site", site, "file:///etc/passwd", ok=False)
    assert result.returncode == 1
    assert "only http and https" in result.stderr


def test_import_recovers_a_broken_opml(site: Path, tmp_path: Path) -> None:
    broken = tmp_path / "list.opml"
    broken.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>Tech & AI</title></head><body>'
        '<outline text="AI"><outline text="One" xmlUrl="https://one.example/rss?a=1&b=2"/>'
        '<outline text="Two" xmlUrl="https://two.example/atom.xml">'
        '<outline text="Bad" xmlUrl="ftp://three.example/feed"/></body>',
        encoding="utf-8",
    )
    result = run("sources", "import", "--site", site, broken)
    assert "Read 2 source(s)" in result.stdout
    assert "recovered" in result.stdout
    assert "skipped 'Bad': not an http(s) URL" in result.stderr
    table = run("sources", "--site", site).stdout
    assert "https://one.example/rss?a=1&b=2" in table
    assert "https://two.example/atom.xml" in table
