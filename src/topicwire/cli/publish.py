"""Commands that publish: ``publish`` (the whole ``out/`` tree), ``newsletter`` (one day's
digest) and ``serve --static`` (a local preview of ``out/``)."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from topicwire.cli.app import SiteOption, app, fail, opened, out, progress_bar

if TYPE_CHECKING:
    from topicwire.publish.build import PublishReport


@app.command()
def publish(
    everything: Annotated[
        bool, typer.Option("--all", help="Also write records of unpublished articles.")
    ] = False,
    full: Annotated[
        bool,
        typer.Option(
            "--full", help="Render every page again, not only those whose inputs changed."
        ),
    ] = False,
    site: SiteOption = None,
) -> None:
    """Write out/: records, the JSON API, the HTML site, feeds and today's newsletter.

    Only pages whose inputs changed are rendered and only changed files are written; a failed
    publish leaves the previous out/ as it was."""
    from topicwire.publish.build import publish_site

    # no refresh thread: a large publish forks its renderers
    with opened(site) as (opened_site, store), progress_bar(threaded=False) as progress:
        task = progress.add_task("Rendering", total=None)

        def rendered(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)
            progress.refresh()

        report = publish_site(
            opened_site, store, include_unpublished=everything, full=full, on_render=rendered
        )
    print_publish_report(report)


def print_publish_report(report: PublishReport) -> None:
    """A table of what a publish wrote: one line each for the site, the rendering and the files
    (as lines, not ten columns, so that it stays readable in an 80-column terminal)."""
    table = Table(title="Publish", title_justify="left", box=None, show_header=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    write = report.write
    table.add_row(
        "site",
        f"{report.articles} articles, {report.stories} stories, {report.topics} topics, "
        f"{report.images} images",
    )
    table.add_row(
        "pages",
        f"{report.rendered} rendered, {report.kept} kept as they were; "
        f"{report.loaded} articles read",
    )
    table.add_row(
        "files",
        f"{len(write.written)} written, {len(write.unchanged)} unchanged, "
        f"{len(write.removed)} removed",
    )
    out.print(table)
    out.print(f"Wrote {escape(str(report.out))} in {report.seconds:.2f} s.")


@app.command()
def newsletter(
    day: Annotated[
        str | None,
        typer.Option("--date", help="The day (YYYY-MM-DD, UTC); default today.", metavar="DATE"),
    ] = None,
    site: SiteOption = None,
) -> None:
    """Write one day's digest to out/newsletters/DATE.html and DATE.txt."""
    from topicwire.publish.build import write_newsletter

    try:
        when = date.fromisoformat(day) if day else datetime.now(UTC).date()
    except ValueError:
        fail(f"--date {day!r} is not a date like 2026-11-22")
    with opened(site) as (opened_site, store):
        for path in write_newsletter(opened_site, store, when):
            out.print(escape(str(path)))


@app.command()
def serve(
    static: Annotated[
        bool, typer.Option("--static", help="Serve the published out/ folder.")
    ] = False,
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (0: any free).")] = 8000,
    site: SiteOption = None,
) -> None:
    """Preview the site on 127.0.0.1 (Ctrl-C stops)."""
    from topicwire.site import open_site

    if not static:
        fail("only --static is available: it serves out/ as written by `topicwire publish`")
    from topicwire.publish.writer import recover

    root: Path = open_site(site).out_dir
    recover(root)  # a publish killed while it changed out/ is finished before anything is served
    if not (root / "index.html").is_file():
        fail(f"{root} holds no site yet: run `topicwire publish` first")
    import http.server  # (only this command serves)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        """Serves files without logging every request to the terminal."""

        def log_message(self, format: str, *args: object) -> None:
            return

    handler = functools.partial(Quiet, directory=str(root))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        if port == 0:
            fail(f"cannot listen on 127.0.0.1: {exc}")
        out.print(f"Port {port} is not free ({exc.strerror}); using a free port instead.")
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    with server:
        address = f"http://127.0.0.1:{server.server_address[1]}/"
        out.print(f"Serving {escape(str(root))} at {address}", soft_wrap=True)
        out.print("Press Ctrl-C to stop.")
        out.file.flush()  # the address is read by whoever started us, a pipe included
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            out.print("Stopped.")
