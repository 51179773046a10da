"""out/ is written incrementally (only changed files) and atomically (never half a tree)."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from topicwire.publish import writer
from topicwire.publish.writer import (
    JOURNAL,
    MANIFEST,
    PublishError,
    Written,
    digest,
    publishing,
    put_fresh,
    read_manifest,
    recover,
    unit_keys,
    write_tree,
)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (the manifest included) by relative path."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def folders(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_dir()}


def inodes(folder: Path) -> dict[str, int]:
    return {
        path.relative_to(folder).as_posix(): path.stat().st_ino
        for path in folder.rglob("*")
        if path.is_file() and path.name != MANIFEST
    }


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
    # unchanged files are not touched at all: same inode, nothing rewritten
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


def fail_second_put(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path, bytes | Path], None]:
    """Make the second file the writer stages fail as a full disk would; the real ``_put``."""
    calls = 0
    real = writer._put

    def failing(target: Path, data: bytes | Path) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError(28, "No space left on device")
        real(target, data)

    monkeypatch.setattr(writer, "_put", failing)
    return real


def test_a_failed_write_leaves_the_previous_tree_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    write_tree(out, {"index.html": b"good", "a.json": b"1"})
    fail_second_put(monkeypatch)
    with pytest.raises(PublishError, match="No space left"):
        write_tree(out, {"index.html": b"bad", "a.json": b"2", "b.json": b"3"})
    assert (out / "index.html").read_bytes() == b"good"
    assert (out / "a.json").read_bytes() == b"1"
    assert not (out / "b.json").exists()
    assert not out.with_name("out.new").exists()
    assert not out.with_name("out.stage").exists()


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


@pytest.mark.parametrize(
    "bad", ["../escape.html", "/etc/passwd", "a/../../b", MANIFEST, "a/\x00b", "news/./.."]
)
def test_paths_outside_out_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(PublishError):
        write_tree(tmp_path / "out", {bad: b"x"})
    assert not (tmp_path / "escape.html").exists()


# -- units (the render cache) --------------------------------------------------------------------


def page(number: int, version: str = "v1") -> dict[str, bytes | Path]:
    return {
        f"news/{number}/index.html": f"page {number} {version}".encode(),
        f"api/articles/{number}.json": f'{{"id": {number}, "v": "{version}"}}'.encode(),
    }


def test_units_kept_without_rendering_keep_their_files_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(
        out, {"index.html": b"home"}, units={"page:1": ("k1", page(1)), "page:2": ("k2", page(2))}
    )
    assert unit_keys(out) == {"page:1": "k1", "page:2": "k2"}
    before, nodes = tree(out), inodes(out)

    report = write_tree(
        out, {"index.html": b"home"}, units={"page:1": ("k1", None), "page:2": ("k2", None)}
    )
    assert (report.written, report.removed) == ([], [])
    assert sorted(report.unchanged) == sorted(["index.html", *page(1), *page(2)])
    assert tree(out) == before
    assert inodes(out) == nodes
    assert unit_keys(out) == {"page:1": "k1", "page:2": "k2"}

    # one unit re-rendered under a new key, the other carried
    report = write_tree(
        out,
        {"index.html": b"home"},
        units={"page:1": ("k1b", page(1, "v2")), "page:2": ("k2", None)},
    )
    assert report.written == sorted(page(1))
    assert (out / "news/1/index.html").read_bytes() == b"page 1 v2"
    assert inodes(out)["news/2/index.html"] == nodes["news/2/index.html"]
    assert unit_keys(out) == {"page:1": "k1b", "page:2": "k2"}
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["version"] == 2
    assert manifest["units"]["page:2"] == ["k2", sorted(page(2))]


def test_a_unit_rendered_with_fewer_files_drops_the_others(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, {}, units={"page:1": ("k1", page(1))})
    report = write_tree(out, {}, units={"page:1": ("k2", {"news/1/index.html": b"only"})})
    assert report.removed == ["api/articles/1.json"]
    assert tree(out).keys() == {"news/1/index.html", MANIFEST}
    # the folder it left empty is gone
    assert not (out / "api").exists()


def test_units_left_out_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, {}, units={"page:1": ("k1", page(1)), "page:2": ("k2", page(2))})
    report = write_tree(out, {}, units={"page:1": ("k1", None)})
    assert report.removed == sorted(page(2))
    assert unit_keys(out) == {"page:1": "k1"}
    assert not (out / "news/2").exists()


def test_a_shared_file_stays_while_any_unit_names_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    image = {"images/shared.jpg": b"jpeg"}
    write_tree(
        out,
        {},
        units={"page:1": ("k1", {**page(1), **image}), "page:2": ("k2", {**page(2), **image})},
    )
    # page 1 no longer uses the image; page 2 (carried) still does
    report = write_tree(out, {}, units={"page:1": ("k1b", page(1, "v2")), "page:2": ("k2", None)})
    assert "images/shared.jpg" not in report.removed
    assert (out / "images/shared.jpg").read_bytes() == b"jpeg"
    # page 2 re-rendered without it: now nobody names it
    report = write_tree(out, {}, units={"page:1": ("k1b", None), "page:2": ("k2b", page(2, "v2"))})
    assert report.removed == ["images/shared.jpg"]
    assert not (out / "images").exists()


def test_a_rendered_value_wins_over_a_carried_one_and_files_win_over_units(tmp_path: Path) -> None:
    out = tmp_path / "out"
    shared = "images/shared.jpg"
    write_tree(out, {}, units={"a": ("1", {shared: b"old"}), "b": ("1", {shared: b"old"})})
    write_tree(out, {}, units={"a": ("1", None), "b": ("2", {shared: b"new"})})
    assert (out / shared).read_bytes() == b"new"
    write_tree(
        out, {shared: b"from files"}, units={"a": ("1", None), "b": ("3", {shared: b"unit"})}
    )
    assert (out / shared).read_bytes() == b"from files"


@pytest.mark.parametrize(
    "units",
    [{"page:9": ("k9", None)}, {"page:1": ("changed", None)}],
    ids=["unknown unit", "changed key"],
)
def test_a_unit_not_rendered_must_be_known_with_its_key(
    tmp_path: Path, units: Mapping[str, tuple[str, None]]
) -> None:
    out = tmp_path / "out"
    write_tree(out, {"index.html": b"home"}, units={"page:1": ("k1", page(1))})
    before, nodes = tree(out), inodes(out)
    with pytest.raises(PublishError, match="not rendered"):
        write_tree(out, {"index.html": b"changed"}, units=units)
    assert tree(out) == before
    assert inodes(out) == nodes
    assert not out.with_name("out.stage").exists()


def test_a_version_1_manifest_is_read(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "api").mkdir(parents=True)
    (out / "index.html").write_bytes(b"home")
    (out / "api/a.json").write_bytes(b"{}")
    (out / "old.html").write_bytes(b"old")
    v1 = {path: writer.digest(data) for path, data in tree(out).items()}
    (out / MANIFEST).write_text(json.dumps(v1, indent=0, sort_keys=True), encoding="utf-8")
    assert read_manifest(out) == v1
    assert unit_keys(out) == {}
    node = (out / "api/a.json").stat().st_ino

    report = write_tree(out, {"index.html": b"home v2", "api/a.json": b"{}"})
    assert (report.written, report.unchanged, report.removed) == (
        ["index.html"],
        ["api/a.json"],
        ["old.html"],
    )
    assert (out / "api/a.json").stat().st_ino == node
    assert json.loads((out / MANIFEST).read_text(encoding="utf-8"))["version"] == 2
    assert read_manifest(out) == {
        "index.html": writer.digest(b"home v2"),
        "api/a.json": writer.digest(b"{}"),
    }


def test_deletions_prune_the_folders_they_leave_empty(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, {"a/b/c/one.html": b"1", "a/b/two.html": b"2", "x/y/z.html": b"z"})
    write_tree(out, {"a/b/two.html": b"2"})
    assert folders(out) == {"a", "a/b"}
    write_tree(out, {})
    assert folders(out) == set()
    assert out.is_dir()
    assert tree(out).keys() == {MANIFEST}


def test_a_path_wanted_as_file_and_folder_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    write_tree(out, {"news": b"a file"})
    before = tree(out)
    with pytest.raises(PublishError, match="both as a file and as a folder"):
        write_tree(out, {"news": b"a file", "news/1/index.html": b"x"})
    with pytest.raises(PublishError, match="both as a file and as a folder"):
        write_tree(out, {"news/1/index.html": b"x"}, units={"u": ("k", {"news/1": b"y"})})
    assert tree(out) == before
    # replacing a file by a folder of the same name (or back) across publishes is fine
    write_tree(out, {"news/1/index.html": b"x"})
    assert tree(out) == {"news/1/index.html": b"x", MANIFEST: (out / MANIFEST).read_bytes()}
    write_tree(out, {"news": b"a file again"})
    assert (out / "news").read_bytes() == b"a file again"


def test_nothing_changed_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, {"index.html": b"home"}, units={"u": ("k", page(1))})
    manifest = (out / MANIFEST).stat()
    write_tree(out, {"index.html": b"home"}, units={"u": ("k", None)})
    assert (out / MANIFEST).stat().st_ino == manifest.st_ino
    assert (out / MANIFEST).stat().st_mtime_ns == manifest.st_mtime_ns


# -- the journal ---------------------------------------------------------------------------------

FIRST: dict[str, bytes | Path] = {"index.html": b"v1", "a/1.html": b"1", "b/2.html": b"2"}
SECOND: dict[str, bytes | Path] = {
    "index.html": b"v2",
    "a/1.html": b"1",
    "c/3.html": b"3",
    "c/d/4.html": b"4",
}


def uninterrupted(tmp_path: Path) -> dict[str, bytes]:
    """What ``out/`` holds after FIRST then SECOND, written without any trouble."""
    reference = tmp_path / "reference" / "out"
    write_tree(reference, FIRST, units={"u": ("k1", {"u/1.html": b"u1"})})
    write_tree(reference, SECOND, units={"u": ("k2", {"u/2.html": b"u2"})})
    return tree(reference)


@pytest.fixture
def killed_apply(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """``out/`` after FIRST, then SECOND committed but stopped after two of its moves."""
    out = tmp_path / "site" / "out"
    write_tree(out, FIRST, units={"u": ("k1", {"u/1.html": b"u1"})})
    real = os.replace
    calls = 0

    def dying(source: str | Path, target: str | Path) -> None:
        nonlocal calls
        calls += 1
        if calls == 4:  # 1: the journal's rename, 2-3: two puts, 4: fails
            raise OSError(5, "Input/output error")
        real(source, target)

    monkeypatch.setattr(os, "replace", dying)
    with pytest.raises(PublishError, match="recover"):
        write_tree(out, SECOND, units={"u": ("k2", {"u/2.html": b"u2"})})
    monkeypatch.setattr(os, "replace", real)
    assert (out.with_name("out.stage") / JOURNAL).is_file()
    # half applied: the old manifest, some new files
    assert read_manifest(out) == {
        **{path: writer.digest(data) for path, data in FIRST.items() if isinstance(data, bytes)},
        "u/1.html": writer.digest(b"u1"),
    }
    yield out


def test_recover_finishes_a_committed_journal(killed_apply: Path, tmp_path: Path) -> None:
    out = killed_apply
    recover(out)
    assert not out.with_name("out.stage").exists()
    assert tree(out) == uninterrupted(tmp_path)
    assert unit_keys(out) == {"u": "k2"}
    recover(out)  # nothing left to do
    assert tree(out) == uninterrupted(tmp_path)


def test_the_next_write_finishes_a_committed_journal(killed_apply: Path, tmp_path: Path) -> None:
    out = killed_apply
    report = write_tree(out, SECOND, units={"u": ("k2", None)})
    assert (report.written, report.removed) == ([], [])
    assert tree(out) == uninterrupted(tmp_path)


def test_unit_keys_finishes_a_committed_journal_first(killed_apply: Path) -> None:
    assert unit_keys(killed_apply) == {"u": "k2"}
    assert not killed_apply.with_name("out.stage").exists()


def test_a_journal_replayed_twice_gives_the_same_tree(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, FIRST, units={"u": ("k1", {"u/1.html": b"u1"})})
    stage = out.with_name("out.stage")
    ops = writer._stage(
        stage,
        [("index.html", b"v2"), ("c/3.html", b"3"), ("c/d/4.html", b"4")],
        ["b/2.html"],
        b'{"version":2,"files":{},"units":{}}\n',
    )
    saved = {path.name: path.read_bytes() for path in stage.iterdir()}
    writer._apply(out, stage, ops)
    once = tree(out)
    # a kill after every move but before the stage was removed: the journal is replayed
    stage.mkdir()
    (stage / JOURNAL).write_bytes(saved[JOURNAL])
    recover(out)
    assert tree(out) == once
    assert not stage.exists()
    assert not (out / "b").exists()


def test_a_stage_without_journal_is_discarded(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, FIRST)
    before, nodes = tree(out), inodes(out)
    stage = out.with_name("out.stage")
    writer._stage(stage, [("index.html", b"never")], ["a/1.html"], b"{}")
    (stage / JOURNAL).unlink()  # killed before the commit
    recover(out)
    assert not stage.exists()
    assert tree(out) == before
    assert inodes(out) == nodes
    # and a write after such a kill starts from a clean stage
    assert write_tree(out, {**FIRST, "index.html": b"v2"}).written == ["index.html"]


def test_a_failed_write_into_a_new_folder_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(target: Path, data: bytes | Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer, "_put", full)
    out = tmp_path / "out"
    with pytest.raises(PublishError, match="could not write"):
        write_tree(out, {"index.html": b"x"})
    assert not out.exists()
    assert not out.with_name("out.stage").exists()


# -- the lock ------------------------------------------------------------------------------------


def test_a_second_concurrent_publish_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, {"index.html": b"home"})
    before = tree(out)
    with open(tmp_path / "out.lock", "a+b") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(PublishError, match="another publish is writing"):
            write_tree(out, {"index.html": b"other"})
        assert tree(out) == before
    # released: the next publish goes ahead
    assert write_tree(out, {"index.html": b"other"}).written == ["index.html"]


def test_a_first_publish_is_built_whole_and_renamed_into_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    real = fail_second_put(monkeypatch)
    with pytest.raises(PublishError, match="No space left"):
        write_tree(out, {"a/index.html": b"a", "b/index.html": b"b"})
    # nothing half-built is left where the site is served from, nor beside it
    assert not out.exists()
    assert not out.with_name("out.stage").exists()

    monkeypatch.setattr(writer, "_put", real)
    report = write_tree(out, {"a/index.html": b"a", "b/index.html": b"b"})
    assert report.written == ["a/index.html", "b/index.html"]
    assert (out / "b/index.html").read_bytes() == b"b"
    assert set(read_manifest(out)) == {"a/index.html", "b/index.html"}


def test_a_first_publish_killed_before_its_rename_is_discarded(tmp_path: Path) -> None:
    out = tmp_path / "out"
    tree = out.with_name("out.stage") / "tree"
    (tree / "a").mkdir(parents=True)
    (tree / "a/index.html").write_bytes(b"half")
    recover(out)
    assert not out.exists() and not tree.exists()


# -- a publish held from render to write, and a first publish's files written early --------------


def test_a_first_publish_takes_files_written_early_and_their_hashes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    made: set[str] = set()
    with publishing(out) as publish:
        fresh = publish.fresh_tree()
        assert fresh is not None and fresh.is_dir() and not any(fresh.iterdir())
        early = put_fresh(fresh, "stories/1/index.html", b"story one", made)
        assert early == Written(digest(b"story one"))
        report = publish.write(
            {"index.html": b"home"},
            units={"story:1": ("k1", {"stories/1/index.html": early})},
        )
    assert sorted(report.written) == ["index.html", "stories/1/index.html"]
    assert tree(out) | {MANIFEST: b""} == {
        "index.html": b"home",
        "stories/1/index.html": b"story one",
        MANIFEST: b"",
    }
    assert read_manifest(out)["stories/1/index.html"] == digest(b"story one")
    assert unit_keys(out) == {"story:1": "k1"}
    assert not out.with_name("out.stage").exists()
    # the next publish compares with those hashes like any other: nothing to write
    again = write_tree(
        out,
        {"index.html": b"home"},
        units={"story:1": ("k1", {"stories/1/index.html": b"story one"})},
    )
    assert again.written == [] and again.removed == []


def test_no_early_writes_once_out_exists(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, {"index.html": b"home"})
    with publishing(out) as publish:
        assert publish.fresh_tree() is None
        # a hash without its file cannot be written into an existing out/
        with pytest.raises(PublishError, match="first publish"):
            publish.write({"index.html": Written(digest(b"x"))})
    assert (out / "index.html").read_bytes() == b"home"


def test_a_first_publish_that_fails_after_early_writes_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="renderer broke"), publishing(out) as publish:
        fresh = publish.fresh_tree()
        assert fresh is not None
        put_fresh(fresh, "a/index.html", b"a", set())
        raise RuntimeError("renderer broke")
    assert not out.exists()
    assert not out.with_name("out.stage").exists()
    # and the next publish starts clean
    assert write_tree(out, {"b.html": b"b"}).written == ["b.html"]
    assert tree(out).keys() == {"b.html", MANIFEST}


def test_two_early_writes_of_one_path_must_agree(tmp_path: Path) -> None:
    fresh = tmp_path / "tree"
    fresh.mkdir()
    made: set[str] = set()
    first = put_fresh(fresh, "news/x/index.html", b"same", made)
    # a second worker (its own set of known folders) writing the same bytes is fine
    assert put_fresh(fresh, "news/x/index.html", b"same", set()) == first
    with pytest.raises(PublishError, match="differ"):
        put_fresh(fresh, "news/x/index.html", b"other", made)
    with pytest.raises(PublishError, match="outside out/"):
        put_fresh(fresh, "../escape.html", b"x", made)
    assert (fresh / "news/x/index.html").read_bytes() == b"same"
    assert not (tmp_path / "escape.html").exists()


def test_a_publish_holds_the_lock_from_render_to_write(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, {"index.html": b"home"})
    with publishing(out) as publish:
        # a second publish (or a writer of out/) started meanwhile is refused at once
        with pytest.raises(PublishError, match="another publish is writing"):
            write_tree(out, {"index.html": b"other"})
        publish.write({"index.html": b"mine"})
    assert (out / "index.html").read_bytes() == b"mine"
