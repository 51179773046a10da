"""Writing ``out/``: only what changed, and never a half-written tree.

A publish renders every output in memory first (``{relative path: bytes}``); nothing touches the
disk if rendering fails. :func:`write_tree` then builds the new tree beside the old one
(``out.new/``): unchanged files are hard-linked from ``out/`` (no copy, no rewrite), changed and
new files are written, files no longer produced are simply not carried over. The new tree
replaces the old with two renames (``out`` -> ``out.old``, ``out.new`` -> ``out``). A crash
before the first rename leaves ``out/`` untouched; a crash between the two leaves ``out.old/``,
which the next publish puts back before it starts. ``out/.manifest.json`` holds the SHA-256 of
every file, so "changed" is decided without reading the old files.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from topicwire.errors import TopicwireError

log = logging.getLogger(__name__)

MANIFEST = ".manifest.json"


class PublishError(TopicwireError):
    """An output could not be written (the previous ``out/`` is left as it was)."""


@dataclass
class WriteReport:
    """What a write did, by relative path."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def digest(data: bytes) -> str:
    """The SHA-256 of ``data`` (hex)."""
    return hashlib.sha256(data).hexdigest()


def _check(path: str) -> PurePosixPath:
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise PublishError(f"refusing to write outside out/: {path!r}")
    if relative.name == MANIFEST:
        raise PublishError(f"{MANIFEST} is reserved")
    return relative


def read_manifest(out: Path) -> dict[str, str]:
    """The hashes recorded by the last write (empty when there is none or it is unreadable)."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items()}


def recover(out: Path) -> None:
    """Finish or undo a publish that was interrupted between its two renames."""
    old = out.with_name(out.name + ".old")
    new = out.with_name(out.name + ".new")
    if old.exists() and not out.exists():
        os.replace(old, out)
        log.warning("restored %s from an interrupted publish", out)
    if old.exists():
        shutil.rmtree(old)
    if new.exists():
        shutil.rmtree(new)


def _hash(data: bytes | Path) -> str:
    if isinstance(data, Path):
        # a file linked in (a cached image): its size and time stand for its content, so it is
        # never read; no path, so the manifest says nothing about where the site lives
        stat = data.stat()
        return f"file:{stat.st_size}:{stat.st_mtime_ns}"
    return digest(data)


def _put(target: Path, data: bytes | Path) -> None:
    if isinstance(data, Path):
        try:
            os.link(data, target)
        except OSError:
            shutil.copyfile(data, target)
    else:
        target.write_bytes(data)


def write_tree(
    out: Path, files: Mapping[str, bytes | Path], *, keep: tuple[str, ...] = ()
) -> WriteReport:
    """Make ``out/`` hold exactly ``files`` (see the module docstring); what changed.

    A value is the file's bytes, or a ``Path`` to link (or copy) the file from (cached images:
    they are never read into memory). Files already in ``out/`` under a ``keep`` prefix
    (``"newsletters/"``) are carried over when ``files`` does not name them."""
    recover(out)
    previous = read_manifest(out) if out.exists() else {}
    wanted: dict[str, bytes | Path] = {str(_check(path)): data for path, data in files.items()}
    for prefix in keep:
        folder = out / prefix
        if folder.is_dir():
            for found in folder.rglob("*"):
                relative = found.relative_to(out).as_posix()
                if found.is_file() and relative not in wanted:
                    wanted[relative] = found
    hashes = {path: _hash(data) for path, data in wanted.items()}
    report = WriteReport()
    new = out.with_name(out.name + ".new")
    try:
        new.mkdir(parents=True)
        made: set[Path] = {new}
        for path, data in sorted(wanted.items()):
            target = new / path
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            source = out / path
            if previous.get(path) == hashes[path] and source.is_file():
                try:
                    os.link(source, target)
                    report.unchanged.append(path)
                    continue
                except OSError:
                    pass  # a file system without hard links: write the bytes
            _put(target, data)
            report.written.append(path)
        report.removed = sorted(set(previous) - set(hashes))
        (new / MANIFEST).write_text(
            json.dumps(hashes, indent=0, sort_keys=True) + "\n", encoding="utf-8"
        )
        old = out.with_name(out.name + ".old")
        if out.exists():
            os.replace(out, old)
        os.replace(new, out)
        if old.exists():
            shutil.rmtree(old)
    except OSError as exc:
        if new.exists():
            shutil.rmtree(new, ignore_errors=True)
        recover(out)
        raise PublishError(f"could not write {out}: {exc}") from exc
    return report
