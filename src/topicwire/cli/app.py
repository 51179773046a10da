"""The typer application, its global options, and what every command shares.

The command line is the only part of topicwire that prints: ``out`` for results, ``err`` for
errors, tables and progress bars.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from topicwire import __version__
from topicwire.errors import bug_details

if TYPE_CHECKING:
    from topicwire.site import Site
    from topicwire.store import Store

app = typer.Typer(
    name="topicwire",
    help="Run a topic news site: read sources, keep clean articles, publish them.",
    rich_markup_mode=None,
    no_args_is_help=True,
    add_completion=False,
    context_settings={"max_content_width": 88},
)
out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

SiteOption = Annotated[
    Path | None,
    typer.Option(
        "--site",
        help="The site folder (default: the current directory).",
        file_okay=False,
        show_default=False,
    ),
]


def fail(message: str, code: int = 1) -> NoReturn:
    """Print an error and leave with ``code``."""
    err.print(f"[bold red]error:[/] {escape(message)}")
    raise typer.Exit(code)


@contextmanager
def opened(site_dir: Path | None) -> Iterator[tuple[Site, Store]]:
    """The site and its open store; closed on the way out."""
    from topicwire.site import open_site
    from topicwire.store import Store

    site = open_site(site_dir)
    store = Store.open(site.database_url)
    try:
        yield site, store
    finally:
        store.close()


#: where tracebacks of bugs are appended when no site folder is at hand
BUG_LOG_ENV = "TOPICWIRE_BUG_LOG"


def write_bug_log(
    entries: Sequence[tuple[str, BaseException | str]], folder: Path | None = None
) -> Path:
    """Append the tracebacks of ``entries`` (what failed, the exception or its traceback text)
    to ``folder/errors.log`` (or ``$TOPICWIRE_BUG_LOG``, or a file in the temporary folder);
    the file's path. Users see one line per bug; the details wait here for a bug report."""
    if folder is not None:
        path = folder / "errors.log"
    elif os.environ.get(BUG_LOG_ENV):
        path = Path(os.environ[BUG_LOG_ENV])
    else:
        path = Path(tempfile.gettempdir()) / f"topicwire-errors-{os.getuid()}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    with path.open("a", encoding="utf-8") as log_file:
        for what, detail in entries:
            if isinstance(detail, BaseException):
                _reason, detail = bug_details(detail)
            log_file.write(f"--- {stamp} {what} (topicwire {__version__})\n{detail}\n")
    return path


def progress_bar(*, threaded: bool = True) -> Progress:
    """A progress bar on stderr that disappears when done. ``threaded=False``: no refresh
    thread (the caller's updates redraw it), for work that forks processes."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        auto_refresh=threaded,
    )


def _version(value: bool) -> None:
    if value:
        out.print(f"topicwire {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress.")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Run a topic news site: read sources, keep clean articles, publish them."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
