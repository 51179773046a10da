"""Named steps of the long runs (fetch, publish), where a crash-safety test can kill the process.

``step("fetch.batch-stored")`` does nothing unless ``TOPICWIRE_TEST_KILL_AT`` names that step
(``NAME`` or ``NAME:N`` for its N-th time, 1-based): then the process kills itself with SIGKILL
right there, as a power cut or the OOM killer would, with no clean-up of any kind. The tests use
it to stop a run at an exact point instead of guessing with sleeps, then check that running again
loses nothing and stores nothing twice (``tests/hostile/test_crash_fetch.py`` and
``test_crash_publish.py``).

The steps: ``fetch.source-read``, ``fetch.page``, ``fetch.batch-stored``,
``fetch.articles-stored``, ``fetch.stories-saved`` (``refresh.py``); ``stories.committed``
(``cluster/stage.py``); ``publish.rendered`` (``publish/build.py``), ``publish.staged``,
``publish.committed``, ``publish.applied``, ``publish.swapped`` (``publish/writer.py``).
"""

from __future__ import annotations

import os
import signal

ENV = "TOPICWIRE_TEST_KILL_AT"

_counts: dict[str, int] = {}


def _target() -> tuple[str, int] | None:
    value = os.environ.get(ENV, "").strip()
    if not value:
        return None
    name, _, times = value.partition(":")
    try:
        return name, max(1, int(times)) if times else 1
    except ValueError:
        return name, 1


def armed(prefix: str) -> bool:
    """True when a test asked to die at a step whose name starts with ``prefix``. A loop that
    would mark a step per file checks this once and calls :func:`step` only when it is true."""
    target = _target()
    return target is not None and target[0].startswith(prefix)


def step(name: str) -> None:
    """Mark that the run reached step ``name`` (a no-op unless a test asked to die there)."""
    target = _target()
    if target is None or target[0] != name:
        return
    _counts[name] = _counts.get(name, 0) + 1
    if _counts[name] >= target[1]:
        os.kill(os.getpid(), signal.SIGKILL)
