"""out/ is written incrementally (only changed files) and atomically (never half a tree)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from topicwire.publish import writer
from topicwire.publish.writer import MANIFEST, PublishError, read_manifest, recover, write_tree


def test_first_write_then_only_changes_are_rewritten(tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = write_tree(out, {"index.html": b"home", "api/a.json": b"{}", "feed.xml": b"<f/>"})
    assert sorted(first.written) == ["api/a.json", "feed.xml", "index.html"]
    assert (out / "api/a.json").read_bytes() == b"{}"
    inode = (out / "feed.xml").stat().st_ino

    second = write_tree(out, {"index.html": b"home v2", "api/a.json": b"{}", "feed.xml": b"<f/>"})
    assert second.written == ["index.html"]
    assert sorted(second.unchanged) == ["api/a.json", "feed.xml"]
    assert (out / "index.html").read_bytes() == b"home v2"
    # unchanged files are carried over by hard link, not rewritten
    assert (out / "feed.xml").stat().st_ino == inode
    assert set(read_manifest(out)) == {"index.html", "api/a.json", "feed.xml"}


def test_files_no_longer_produced_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, {"news/a/index.html": b"a", "news/b/index.html": b"b"})
    report = write_tree(out, {"news/a/index.html": b"a"})
    assert report.removed == ["news/b/index.html"]
    assert not (out / "news/b/index.html").exists()
    assert (out / "news/a/index.html").read_bytes() == b"a"


def test_kept_folders_survive_a_publish_that_does_not_render_them(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, {"index.html": b"x"})
    (out / "newsletters").mkdir()
    (out / "newsletters/2026-11-01.html").write_bytes(b"old digest")
    write_tree(out, {"index.html": b"y"}, keep=("newsletters/",))
    assert (out / "newsletters/2026-11-01.html").read_bytes() == b"old digest"
    again = write_tree(out, {"index.html": b"y"}, keep=("newsletters/",))
    assert "newsletters/2026-11-01.html" in again.unchanged


def test_files_can_be_linked_from_a_cache(tmp_path: Path) -> None:
    cached = tmp_path / "cache" / "ab.jpg"
    cached.parent.mkdir()
    cached.write_bytes(b"\xff\xd8jpeg")
    out = tmp_path / "out"
    write_tree(out, {"images/ab.jpg": cached})
    assert (out / "images/ab.jpg").read_bytes() == b"\xff\xd8jpeg"
    assert write_tree(out, {"images/ab.jpg": cached}).unchanged == ["images/ab.jpg"]


def test_a_failed_write_leaves_the_previous_tree_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    write_tree(out, {"index.html": b"good", "a.json": b"1"})
    calls = 0
    real = writer._put

    def failing(target: Path, data: bytes | Path) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError(28, "No space left on device")
        real(target, data)

    monkeypatch.setattr(writer, "_put", failing)
    with pytest.raises(PublishError, match="No space left"):
        write_tree(out, {"index.html": b"bad", "a.json": b"2", "b.json": b"3"})
    assert (out / "index.html").read_bytes() == b"good"
    assert (out / "a.json").read_bytes() == b"1"
    assert not (out / "b.json").exists()
    assert not out.with_name("out.new").exists()


def test_an_interrupted_swap_is_recovered(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, {"index.html": b"last good"})
    # a crash after out -> out.old and before out.new -> out
    os.replace(out, tmp_path / "out.old")
    (tmp_path / "out.new").mkdir()
    (tmp_path / "out.new" / "index.html").write_bytes(b"half")
    recover(out)
    assert (out / "index.html").read_bytes() == b"last good"
    assert not (tmp_path / "out.old").exists()
    assert not (tmp_path / "out.new").exists()


@pytest.mark.parametrize("bad", ["../escape.html", "/etc/passwd", "a/../../b", MANIFEST])
def test_paths_outside_out_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(PublishError):
        write_tree(tmp_path / "out", {bad: b"x"})
    assert not (tmp_path / "escape.html").exists()
