"""The ``topicwire`` command. Thin: each command opens the site and calls one library function.

Every command works on the site in the current directory, or on the one ``--site DIR`` names.
"""

from __future__ import annotations

import gc
import sys

from rich.markup import escape

from topicwire.cli import enrich as _enrich  # noqa: F401 - registers topics, explain, enrich
from topicwire.cli import ingest as _ingest  # noqa: F401 - registers sources, fetch, extract, demo
from topicwire.cli import publish as _publish  # noqa: F401 - registers publish, newsletter, serve
from topicwire.cli import records as _records  # noqa: F401 - registers the record commands
from topicwire.cli import stories as _stories  # noqa: F401 - registers cluster
from topicwire.cli.app import app, err, write_bug_log
from topicwire.errors import TopicwireError, describe_bug

__all__ = ["app", "main"]


def main() -> None:
    """Entry point: run the app, turning our errors into a message and exit code 1.

    Anything else is a bug, never the input's fault: it prints one line and the file where its
    traceback was written (exit code 2); Ctrl-C prints "interrupted" (exit code 130).
    """
    try:
        app()
    except TopicwireError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}")
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except Exception as exc:
        where = write_bug_log([("topicwire " + " ".join(sys.argv[1:]), exc)])
        err.print(
            f"[bold red]internal error:[/] {escape(describe_bug(exc))} "
            f"(a bug in topicwire; the details are in {escape(str(where))})"
        )
        sys.exit(2)
    finally:
        # the command is done and its files closed: the interpreter's closing collections
        # would walk every object the command loaded again (0.2 s after a publish, measured),
        # and the exit frees them all anyway
        gc.freeze()
