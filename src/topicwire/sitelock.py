"""One writer of a kind per site: a second ``fetch`` on the same site refuses, it never races.

The lock is an advisory ``flock`` on a file in the site folder (``cache/fetch.lock``), taken
without waiting and released by the kernel when its holder ends, however it ends (SIGKILL too),
so a killed run never leaves a stale lock behind. The file holds the holder's process id and
start time, shown in the refusal.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from topicwire.errors import TopicwireError


class SiteBusyError(TopicwireError):
    """Another process holds the lock this run needs."""


@contextmanager
def site_lock(folder: Path, name: str) -> Iterator[None]:
    """Hold the site's ``name`` lock for the block; raise ``SiteBusyError`` if it is taken."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.lock"
    handle = path.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise SiteBusyError(
                f"another `topicwire {name}` is running on this site ({holder}); "
                "wait for it to finish, then run this again"
            ) from None
        handle.seek(0)
        handle.truncate()
        started = datetime.now(UTC).isoformat(timespec="seconds")
        handle.write(f"pid {os.getpid()}, started {started}")
        handle.flush()
        yield
    finally:
        handle.close()  # closing the file releases the lock
