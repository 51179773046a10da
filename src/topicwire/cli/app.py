"""The typer application, its global options, and what every command shares.

The command line is the only part of topicwire that prints: ``out`` for results, ``err`` for
errors, tables and progress bars.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from topicwire import __version__

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
