"""Writing ``out/``: only what changed, in place, and never half a publish.

A publish renders its outputs in memory first (``{relative path: bytes | Path}``); nothing touches
the disk if rendering fails. :func:`write_tree` then changes ``out/`` in place, touching only the
files that changed, so its cost follows the size of the change, not the size of the site.

``out/.manifest.json`` (version 2) records the SHA-256 of every file and, for the render cache,
which files each *unit* (``"page:42"``) produced under which key::

    {"version": 2, "files": {path: hash}, "units": {unit: [key, [path, ...]]}}

A unit passed as ``(key, None)`` was not rendered because its key did not change: the files it
had last time are kept as they are. A file given as a ``Path`` (a cached image) is linked, never
read; ``file:<size>:<mtime_ns>`` stands for its hash. A version 1 manifest (a flat
``{path: hash}``, written by earlier releases) is read as files without units.

One publish, with ``out.lock`` (beside ``out/``) held under an exclusive ``flock`` throughout so
two publishes never interleave (:func:`publishing` holds it from a publish's first read to its
write; :func:`write_tree` alone holds it for the write):

1. *decide*: a rendered file whose hash equals the manifest's (and which exists) is left alone;
   a file of the old manifest that nobody wants any more is to be deleted;
2. *stage*: every file to write goes into ``out.stage/`` under a flat name (``000123``), then the
   new manifest (``manifest``), then ``JOURNAL`` -- a JSON list of operations::

       [["delete", path], ..., ["put", "000123", path], ..., ["put", "manifest", ".manifest.json"]]

   written to a temporary name, fsynced and renamed. Its appearance is the commit point: a
   publish that stops before it leaves ``out/`` exactly as it was;
3. *apply*: each delete unlinks its file and removes the folders that it left empty; each put
   makes the parent folders and renames the staged file over its path; the manifest is replaced
   last; then ``out.stage/`` is removed.

:func:`recover` (run first by every write) finishes a committed publish that was interrupted by
replaying its journal -- a put whose staged file is gone was already done -- and throws away a
stage without a journal. It also cleans up after the previous layout (``out.new/`` built beside
``out/`` and swapped in through ``out.old/``). Until the replay, ``out/`` of a publish killed
*during* step 3 holds some files of the new site and some of the old (the deletes done, a share
of the puts, the old manifest): whole for topicwire, which replays the journal first, not for a
web server serving the folder meanwhile.

A first publish (no ``out/``) is built whole in ``out.stage/tree`` and renamed into place; its
renderers may write their files there as they go (:func:`put_fresh`, from forked workers too),
passing on only a :class:`Written` hash. A first publish that fails leaves nothing behind.

Staging and applying run on the calling thread: on a two-core machine, a pool of 2-3 threads made
a first publish of 50,000 files slower, not faster (file creation and renames serialise in the
kernel on the one staging folder and on the file system's rename lock).

Staged file contents are not fsynced one by one (that would dominate a large publish): a killed
process is always recovered; surviving a power cut relies on the file system writing data
before the renames that follow it (ext4's default ``data=ordered``).

Named steps (:mod:`topicwire.steps`) mark where a crash test kills a publish:
``publish.staged`` (each file staged, or written into a first publish's tree),
``publish.committed`` (the journal durable), ``publish.applied`` (each staged file moved into
``out/``) and ``publish.swapped`` (the manifest, or a first publish's tree, in place); the
build adds ``publish.rendered`` (everything rendered, nothing written but a first publish's
tree). The per-file ones check the environment once per write.
"""

from __future__ import annotations

import bisect
import fcntl
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

import orjson

from topicwire.errors import TopicwireError
from topicwire.steps import armed, step

log = logging.getLogger(__name__)

MANIFEST = ".manifest.json"
JOURNAL = "JOURNAL"
#: the staged name of the new manifest (staged files are otherwise numbered)
STAGED_MANIFEST = "manifest"
MANIFEST_VERSION = 2


@dataclass(frozen=True, slots=True)
class Written:
    """An output a renderer already wrote where a first publish builds ``out/`` (see
    :meth:`Publishing.fresh_tree` and :func:`put_fresh`): only its hash travels."""

    digest: str


Output = bytes | Path | Written
Units = Mapping[str, tuple[str, Mapping[str, Output] | None]]

_V = TypeVar("_V")


class PublishError(TopicwireError):
    """An output could not be written (the previous ``out/`` is left as it was)."""


@dataclass
class WriteReport:
    """What a write did, by relative path (``written`` and ``removed`` sorted).

    ``unchanged`` (in no particular order: at 50,000 files sorting it costs more than it is worth)
    also holds the files of units kept without rendering and the files found under a ``keep``
    folder."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass
class _Manifest:
    files: dict[str, str] = field(default_factory=dict)
    units: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    text: bytes = b""


def digest(data: bytes) -> str:
    """The SHA-256 of ``data`` (hex)."""
    return hashlib.sha256(data).hexdigest()


def _check(path: str) -> str:
    """``path`` as a plain relative path inside ``out/``, or PublishError."""
    # the common case, already normal ("news/x/index.html"), without building a PurePosixPath
    if (
        path
        and path[0] != "/"
        and path[-1] != "/"
        and "//" not in path
        and "/." not in "/" + path
        and "\0" not in path
    ):
        return path
    if "\0" in path:
        raise PublishError(f"refusing a path with a NUL byte: {path!r}")
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise PublishError(f"refusing to write outside out/: {path!r}")
    if relative.name == MANIFEST:
        raise PublishError(f"{MANIFEST} is reserved")
    return str(relative)


def _paths(out: Path) -> tuple[Path, Path, Path, Path]:
    """``out.stage``, ``out.lock``, and the previous layout's ``out.new`` and ``out.old``."""
    return (
        out.with_name(out.name + ".stage"),
        out.with_name(out.name + ".lock"),
        out.with_name(out.name + ".new"),
        out.with_name(out.name + ".old"),
    )


# -- manifest ------------------------------------------------------------------------------------


def _load(out: Path) -> _Manifest:
    """The manifest of ``out/`` (empty when there is none or it is unreadable)."""
    path = out / MANIFEST
    try:
        text = path.read_bytes()
        data = orjson.loads(text)
    except (OSError, ValueError):  # (orjson's decode error is a ValueError)
        return _Manifest()
    if not isinstance(data, dict):
        return _Manifest()
    files: Any = data.get("files")
    found: Any
    if data.get("version") != MANIFEST_VERSION or not isinstance(files, dict):
        files, found = data, {}  # version 1: the whole file is {path: hash}
    else:
        found = data.get("units")
        found = found if isinstance(found, dict) else {}
    if not all(type(value) is str for value in files.values()):
        return _Manifest()
    units: dict[str, tuple[str, list[str]]] = {}
    for unit, entry in found.items():
        # (a path that is not a string is not among the files: carrying it raises PublishError)
        if type(entry) is list and len(entry) == 2 and type(entry[1]) is list:
            units[unit] = (str(entry[0]), entry[1])
    return _Manifest(files, units, text)


def _in_order(wanted: Mapping[str, _V], before: Mapping[str, object]) -> dict[str, _V]:
    """``wanted`` sorted by key, cheaply: ``before`` (the last manifest) is sorted already, so
    its keys followed by the new ones are two sorted runs, which sorting merges in linear time."""
    keys = [key for key in before if key in wanted]
    keys += sorted(key for key in wanted if key not in before)
    keys.sort()
    return {key: wanted[key] for key in keys}


def _dump(files: Mapping[str, str], units: Mapping[str, tuple[str, list[str]]]) -> bytes:
    """The manifest's text: compact JSON, with ``files`` and ``units`` expected in sorted order
    (see :func:`_in_order`). Every publish reads and writes it (14 MB at 20,000 articles):
    orjson takes a third of the standard library's time to read it and a seventh to write it."""
    document = {"version": MANIFEST_VERSION, "files": files, "units": units}
    return orjson.dumps(document) + b"\n"


def read_manifest(out: Path) -> dict[str, str]:
    """The hashes recorded by the last write (empty when there is none or it is unreadable)."""
    return _load(out).files


def unit_keys(out: Path) -> dict[str, str]:
    """Unit id -> key, as the last write recorded them (empty when there is no manifest).

    An interrupted publish is finished first (:func:`recover`), so the keys are those of what
    ``out/`` holds. Raises PublishError when another publish is writing and one needs finishing."""
    recover(out)
    return {unit: key for unit, (key, _files) in _load(out).units.items()}


# -- lock and recovery ---------------------------------------------------------------------------


@contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold ``out.lock`` (an exclusive flock) or fail at once when another publish holds it."""
    lock = _paths(out)[1]
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise PublishError(f"could not lock {lock}: {exc}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise PublishError(f"another publish is writing {out} (it holds {lock})") from exc
        yield
    finally:
        os.close(fd)  # releases the lock


def recover(out: Path) -> None:
    """Finish a committed publish that was interrupted, or discard one that never committed."""
    stage, _lock, new, old = _paths(out)
    if not (stage.exists() or new.exists() or old.exists()):
        return
    with _locked(out):
        try:
            _recover(out)
        except OSError as exc:
            raise PublishError(f"could not finish the interrupted publish of {out}: {exc}") from exc


def _recover(out: Path) -> None:
    stage, _lock, new, old = _paths(out)
    # the previous layout: a crash between "out -> out.old" and "out.new -> out"
    if old.exists() and not out.exists():
        os.replace(old, out)
        log.warning("restored %s from an interrupted publish", out)
    if old.exists():
        shutil.rmtree(old)
    if new.exists():
        shutil.rmtree(new)
    if not stage.exists():
        return
    ops = _read_journal(stage)
    if ops is None:
        shutil.rmtree(stage)
        log.warning("discarded %s: a publish that never committed", stage)
        return
    _apply(out, stage, ops)
    log.warning("finished the interrupted publish of %s", out)


def _read_journal(stage: Path) -> list[list[str]] | None:
    try:
        text = (stage / JOURNAL).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    try:
        ops = json.loads(text)
    except ValueError as exc:
        # it was fsynced before being renamed into place: this is not a torn write
        raise PublishError(f"unreadable journal {stage / JOURNAL}: {exc}") from exc
    if not (isinstance(ops, list) and ops and ops[-1] == ["put", STAGED_MANIFEST, MANIFEST]):
        raise PublishError(f"unreadable journal {stage / JOURNAL}: no final manifest put")
    for op in ops:
        valid = isinstance(op, list) and (
            (len(op) == 2 and op[0] == "delete") or (len(op) == 3 and op[0] == "put")
        )
        if not valid or not all(isinstance(part, str) for part in op):
            raise PublishError(f"unreadable journal {stage / JOURNAL}: bad operation {op!r}")
        target = op[-1]
        if target.startswith("/") or ".." in target.split("/") or (op[0] == "put" and "/" in op[1]):
            raise PublishError(f"unreadable journal {stage / JOURNAL}: unsafe path {target!r}")
    return ops


# -- staging and applying ------------------------------------------------------------------------


def _put(target: Path, data: Output) -> None:
    """Write one staged file: the bytes, or a hard link to (or else a copy of) the file."""
    if isinstance(data, Written):
        raise PublishError(f"{target} was written early, outside a first publish")
    if isinstance(data, Path):
        try:
            os.link(data, target)
        except OSError:
            shutil.copyfile(data, target)
    else:
        with open(target, "wb") as handle:
            handle.write(data)


def _write_synced(target: Path, data: bytes) -> None:
    with open(target, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _stage(
    stage: Path, writes: Sequence[tuple[str, Output]], deletes: Sequence[str], manifest: bytes
) -> list[list[str]]:
    """Fill ``stage`` and commit it with its journal; the journal's operations."""
    stage.mkdir()
    width = max(6, len(str(len(writes))))
    names = [f"{number:0{width}d}" for number in range(len(writes))]
    kill = armed("publish.staged")  # (read once: a step per file is a no-op otherwise)
    for name, (_path, data) in zip(names, writes, strict=True):
        _put(stage / name, data)
        if kill:
            step("publish.staged")
    (stage / STAGED_MANIFEST).write_bytes(manifest)
    ops = [["delete", path] for path in deletes]
    ops += [["put", name, path] for name, (path, _data) in zip(names, writes, strict=True)]
    ops.append(["put", STAGED_MANIFEST, MANIFEST])
    pending = stage / (JOURNAL + ".tmp")
    _write_synced(pending, json.dumps(ops, separators=(",", ":")).encode("utf-8"))
    os.replace(pending, stage / JOURNAL)
    folder = os.open(stage, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself is durable: the publish is committed
    finally:
        os.close(folder)
    step("publish.committed")
    return ops


def _delete(root: str, path: str) -> None:
    """Unlink ``root/path`` (gone already is fine) and the folders that leaves empty."""
    # gone already: deleted by an earlier attempt (which may have put a folder there since)
    with suppress(FileNotFoundError, NotADirectoryError, IsADirectoryError):
        os.unlink(f"{root}/{path}")
    folder = path.rpartition("/")[0]
    while folder:
        try:
            os.rmdir(f"{root}/{folder}")
        except FileNotFoundError:
            pass  # pruned by an earlier attempt; its parent may still be left
        except OSError:
            return  # not empty
        folder = folder.rpartition("/")[0]


def _mkdirs(folder: str, made: set[str]) -> None:
    try:
        os.mkdir(folder)
    except FileExistsError:
        pass
    except FileNotFoundError:
        _mkdirs(folder.rpartition("/")[0], made)
        with suppress(FileExistsError):
            os.mkdir(folder)
    made.add(folder)


def _apply(out: Path, stage: Path, ops: Sequence[Sequence[str]]) -> None:
    """Carry out a committed journal; safe to run again after it was interrupted."""
    out.mkdir(exist_ok=True)
    root, staged = str(out), str(stage)
    made = {root}
    puts: list[tuple[str, str]] = []
    for op in ops[:-1]:
        if op[0] == "delete":
            _delete(root, op[1])
        else:
            puts.append((f"{staged}/{op[1]}", f"{root}/{op[2]}"))

    def move(put: tuple[str, str]) -> None:
        source, target = put
        parent = target.rpartition("/")[0]
        if parent not in made:
            _mkdirs(parent, made)
        try:
            os.replace(source, target)
        except FileNotFoundError:
            if os.path.lexists(source):
                raise
            # the staged file is gone: an earlier attempt already moved it

    kill = armed("publish.applied")
    for put in puts:
        move(put)
        if kill:
            step("publish.applied")
    move((f"{staged}/{STAGED_MANIFEST}", f"{root}/{MANIFEST}"))
    step("publish.swapped")
    (stage / JOURNAL).unlink(missing_ok=True)
    shutil.rmtree(stage)


# -- the write -----------------------------------------------------------------------------------


def _hash(data: Output) -> str:
    if isinstance(data, Written):
        return data.digest
    if isinstance(data, Path):
        # a file linked in (a cached image): its size and time stand for its content, so it is
        # never read; no path, so the manifest says nothing about where the site lives
        stat = data.stat()
        return f"file:{stat.st_size}:{stat.st_mtime_ns}"
    return digest(data)


def write_tree(
    out: Path,
    files: Mapping[str, Output],
    *,
    units: Units | None = None,
    keep: tuple[str, ...] = (),
) -> WriteReport:
    """Make ``out/`` hold what this publish wants (see the module docstring); what changed.

    ``files`` are the outputs rendered this time. ``units`` maps a unit id to ``(key, outputs)``;
    ``outputs`` is None when the unit was not rendered because its key is the one the manifest
    holds (:func:`unit_keys`): its previous files are kept untouched. A path named by ``files``
    takes its value from there; a path named by several units stays while any of them names it.
    Files already in ``out/`` under a ``keep`` prefix (``"newsletters/"``) are kept when nothing
    else names them. Every other file of the previous manifest is deleted."""
    with publishing(out) as publish:
        return publish.write(files, units=units, keep=keep)


class Publishing:
    """One publish of ``out/`` in progress, from :func:`publishing`: the lock is held and an
    interrupted earlier publish is finished, so everything here sees one consistent ``out/``."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self._tree: Path | None = None
        # read once (for the unit keys, then to write): the lock keeps it from changing, and
        # parsing 50,000 entries twice was a fifth of an incremental publish
        self._manifest: _Manifest | None = None

    def manifest(self) -> _Manifest:
        if self._manifest is None:
            self._manifest = _load(self.out)
        return self._manifest

    def unit_keys(self) -> dict[str, str]:
        """Unit id -> key, as the last write recorded them (empty when there is none)."""
        return {unit: key for unit, (key, _files) in self.manifest().units.items()}

    def fresh_tree(self) -> Path | None:
        """For a first publish (no ``out/`` yet), the empty folder it is built in
        (``out.stage/tree``), where renderers may write their files at once with
        :func:`put_fresh`; None when ``out/`` exists (outputs then go to :meth:`write`)."""
        if self._tree is None and not self.out.exists():
            tree = _paths(self.out)[0] / "tree"
            try:
                tree.mkdir(parents=True)
            except OSError as exc:
                raise PublishError(f"could not start writing {self.out}: {exc}") from exc
            self._tree = tree
        return self._tree

    def write(
        self,
        files: Mapping[str, Output],
        *,
        units: Units | None = None,
        keep: tuple[str, ...] = (),
    ) -> WriteReport:
        """What :func:`write_tree` does, under this publish's lock."""
        rendered: dict[str, Output] = {_check(path): data for path, data in files.items()}
        given: dict[str, tuple[str, dict[str, Output] | None]] = {}
        for unit, (key, outputs) in (units or {}).items():
            if outputs is None:
                given[unit] = (key, None)
            else:
                given[unit] = (key, {_check(path): data for path, data in outputs.items()})
        found = _write(
            self.out, self.manifest(), rendered, given, keep, fresh=self._tree is not None
        )
        self._manifest = None  # (replaced by the write)
        return found


@contextmanager
def publishing(out: Path) -> Iterator[Publishing]:
    """Hold ``out/``'s lock for a whole publish (render and write): a second publish fails at
    once. A first publish's files written early (:meth:`Publishing.fresh_tree`) are thrown
    away when the publish fails."""
    with _locked(out):
        try:
            _recover(out)
        except OSError as exc:
            raise PublishError(f"could not finish the interrupted publish of {out}: {exc}") from exc
        publish = Publishing(out)
        try:
            yield publish
        except BaseException:
            # a first publish never journals: what it wrote early is only a draft
            if publish._tree is not None:
                shutil.rmtree(_paths(out)[0], ignore_errors=True)
            raise


def put_fresh(tree: Path, path: str, data: bytes, made: set[str]) -> Written:
    """Write ``data`` at ``path`` in a first publish's tree (:meth:`Publishing.fresh_tree`),
    its folders made as needed (``made``: those known to exist). Two renderers writing one path
    must agree on its bytes."""
    path = _check(path)
    target = f"{tree}/{path}"
    folder = target.rpartition("/")[0]
    try:
        if folder not in made:
            _mkdirs(folder, made)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            with open(target, "rb") as handle:
                if handle.read() != data:
                    raise PublishError(f"two outputs named {path!r} differ") from None
        else:
            try:
                view = memoryview(data)
                while view:  # (a regular file takes it all in one write)
                    view = view[os.write(fd, view) :]
            finally:
                os.close(fd)
    except OSError as exc:
        raise PublishError(f"could not write {path!r}: {exc}") from exc
    return Written(digest(data))


def _write(
    out: Path,
    previous: _Manifest,
    rendered: dict[str, Output],
    units: Mapping[str, tuple[str, dict[str, Output] | None]],
    keep: tuple[str, ...],
    *,
    fresh: bool = False,
) -> WriteReport:
    recorded: dict[str, tuple[str, list[str]]] = {}
    carried: set[str] = set()
    for unit, (key, outputs) in units.items():
        if outputs is None:
            before = previous.units.get(unit)
            if before is None or before[0] != key:
                known = "unknown to" if before is None else f"with key {before[0]!r} in"
                raise PublishError(
                    f"unit {unit!r} (key {key!r}) was not rendered but is {known} the manifest"
                )
            recorded[unit] = before
            carried.update(before[1])
        else:
            recorded[unit] = (key, sorted(outputs))
            for path, data in outputs.items():
                rendered.setdefault(path, data)  # files win, then the first unit naming it

    hashes: dict[str, str] = {}
    unchanged: list[str] = []
    for path in carried:
        if path not in rendered:
            if path not in previous.files:
                raise PublishError(
                    f"the manifest of {out} lists {path!r} for a unit, not as a file"
                )
            hashes[path] = previous.files[path]
            unchanged.append(path)
    for prefix in keep:
        folder = out / prefix
        if folder.is_dir():
            for found in folder.rglob("*"):
                relative = found.relative_to(out).as_posix()
                if relative not in rendered and relative not in hashes and found.is_file():
                    hashes[relative] = _hash(found)
                    unchanged.append(relative)

    root = str(out)
    writes: list[tuple[str, Output]] = []
    for path, data in rendered.items():
        hashed = hashes[path] = _hash(data)
        if previous.files.get(path) == hashed and os.path.isfile(f"{root}/{path}"):
            unchanged.append(path)
        else:
            writes.append((path, data))
    removed = sorted(path for path in previous.files if path not in hashes)
    writes.sort(key=lambda item: item[0])
    report = WriteReport([path for path, _ in writes], unchanged, removed)

    ordered = _in_order(hashes, previous.files)
    if writes:
        _refuse_folder_clashes(ordered, [path for path, _ in writes])
    manifest = _dump(ordered, _in_order(recorded, previous.units))
    if not writes and not removed and manifest == previous.text:
        return report

    stage = _paths(out)[0]
    if fresh or not out.exists():
        _first(out, stage, writes, manifest)
        return report
    if any(isinstance(data, Written) for _path, data in writes):
        raise PublishError(f"{out} appeared during its first publish; publish again")
    try:
        ops = _stage(stage, writes, removed, manifest)
    except OSError as exc:
        shutil.rmtree(stage, ignore_errors=True)
        raise PublishError(f"could not write {out}: {exc}") from exc
    try:
        _apply(out, stage, ops)
    except OSError as exc:
        raise PublishError(
            f"could not finish writing {out}: {exc}; the publish is committed in {stage}, "
            "the next publish (or recover) finishes it"
        ) from exc
    return report


def _first(out: Path, stage: Path, writes: Sequence[tuple[str, Output]], manifest: bytes) -> None:
    """The first publish: the tree is built whole in ``out.stage/tree`` and renamed to
    ``out`` (one file creation per file, no journal: the rename is the commit; a stage left
    without a journal is discarded by :func:`recover`)."""
    tree = stage / "tree"
    try:
        tree.mkdir(parents=True, exist_ok=True)
        root = str(tree)
        made: set[str] = {root}
        kill = armed("publish.staged")
        for path, data in writes:
            if isinstance(data, Written):
                continue  # already there
            folder = f"{root}/{path}".rpartition("/")[0]
            if folder not in made:
                _mkdirs(folder, made)
            _put(Path(f"{root}/{path}"), data)
            if kill:
                step("publish.staged")
        _write_synced(tree / MANIFEST, manifest)
        os.replace(tree, out)
        step("publish.swapped")
    except OSError as exc:
        shutil.rmtree(stage, ignore_errors=True)
        raise PublishError(f"could not write {out}: {exc}") from exc
    shutil.rmtree(stage, ignore_errors=True)


def _refuse_folder_clashes(wanted: Mapping[str, str], written: Sequence[str]) -> None:
    """A file that another wanted file needs as its folder could never be applied: refuse it
    before committing (a journal that cannot be applied would block every later publish).
    ``wanted`` is every path of the new manifest, in sorted order."""
    ordered = list(wanted)
    for path in written:
        folder = path.rpartition("/")[0]
        while folder:
            if folder in wanted:
                raise PublishError(f"{folder!r} is wanted both as a file and as a folder")
            folder = folder.rpartition("/")[0]
        at = bisect.bisect_left(ordered, path + "/")
        if at < len(ordered) and ordered[at].startswith(path + "/"):
            raise PublishError(f"{path!r} is wanted both as a file and as a folder")
