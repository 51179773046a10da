"""What every fuzz target shares: which exceptions are expected, and what a crash is.

A target's ``TestOneInput`` is wrapped by :func:`guarded`: the exceptions the reader documents
(the project's own ``TopicwireError`` family, ``ValueError`` for URL splitting) are expected
answers to hostile input; anything else escapes to atheris, which reports it as a crash and
writes the input to a ``crash-<sha1>`` file.

With ``FUZZ_KEEP_GOING=DIR`` in the environment an unexpected exception is written to ``DIR``
instead (the input and its traceback, once per distinct exception type and raising line) and
fuzzing goes on, so one long run reports every distinct problem rather than the first.
"""

from __future__ import annotations

import hashlib
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

Target = Callable[[bytes], None]

_seen: set[str] = set()


def _signature(exc: BaseException) -> str:
    """The exception's type and the innermost frame of topicwire (else the innermost frame)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "topicwire" in f.filename] or frames
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else "?"
    return f"{type(exc).__name__}@{where}"


def _keep(exc: BaseException, data: bytes, folder: Path) -> None:
    signature = _signature(exc)
    if signature in _seen:
        return
    _seen.add(signature)
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1(data, usedforsecurity=False).hexdigest()[:16]
    name = signature.replace("@", "-").replace(":", "-")
    (folder / f"crash-{name}-{digest}").write_bytes(data)
    text = "".join(traceback.format_exception(exc))
    (folder / f"crash-{name}-{digest}.txt").write_text(text, encoding="utf-8")
    print(f"\n== NEW CRASH {signature} ({len(data)} bytes) -> {folder}", file=sys.stderr)
    print(text, file=sys.stderr, flush=True)


def guarded(*expected: type[BaseException]) -> Callable[[Target], Target]:
    """Wrap a target so ``expected`` exceptions pass and any other one is a crash."""
    keep_dir = os.environ.get("FUZZ_KEEP_GOING")

    def wrap(target: Target) -> Target:
        def one_input(data: bytes) -> None:
            try:
                target(data)
            except expected:
                pass
            except Exception as exc:
                if not keep_dir:
                    raise
                _keep(exc, data, Path(keep_dir))

        one_input.__name__ = target.__name__
        one_input.__doc__ = target.__doc__
        return one_input

    return wrap


def text_of(data: bytes) -> str:
    """The input as text the way a reader of files sees it (UTF-8, bad bytes replaced)."""
    return data.decode("utf-8", errors="replace")
