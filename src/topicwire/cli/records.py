"""Commands on the site and its records: init, import, export, list, show, decrypt."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from topicwire.cli.app import (
    SiteOption,
    app,
    err,
    fail,
    opened,
    out,
    progress_bar,
    write_bug_log,
)
from topicwire.errors import ForeignSecuredError
from topicwire.publish.formats import ExportFormat

if TYPE_CHECKING:
    from topicwire.parse.records import Parsed
    from topicwire.store import StoredArticle


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="The folder to create.")],
    topic: Annotated[str, typer.Option(help='The site\'s root topic, e.g. "AI".')],
    title: Annotated[
        str | None, typer.Option(help="The site's title (default: the topic's name).")
    ] = None,
    topics_from: Annotated[
        Path | None,
        typer.Option(help="Copy this folder of topic YAML files as the taxonomy.", file_okay=False),
    ] = None,
    providers_from: Annotated[
        Path | None,
        typer.Option(help="Copy this folder of provider files as the registry.", file_okay=False),
    ] = None,
) -> None:
    """Create a site folder: settings, taxonomy, providers, sources, database and secret key."""
    from topicwire.site import init_site
    from topicwire.store import Store

    site = init_site(
        directory, topic=topic, title=title, topics_from=topics_from, providers_from=providers_from
    )
    with Store.open(site.database_url) as store:
        topics = site.topics()
        providers = site.providers()
        store.upsert_topics(topics)
        store.upsert_providers(providers)
    out.print(f"Created site [bold]{escape(str(site.root))}[/] for topic {escape(topic)!r}")
    out.print(f"  {len(topics)} topic(s), {len(providers)} provider(s), database ready.")
    out.print(f"  Next: topicwire import --site {escape(str(directory))} RECORDS...")


@app.command("import")
def import_(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Record files (.md), folders of them, or .jsonl files."),
    ],
    site: SiteOption = None,
) -> None:
    """Import records into the store; bad inputs are listed with their reason (exit code 1)."""
    from topicwire.parse.records import expand_paths
    from topicwire.pipeline import import_records

    with opened(site) as (opened_site, store):
        total = sum(1 for _ in expand_paths(paths))
        seen: set[Path] = set()

        def advance(parsed: Parsed) -> None:
            seen.add(parsed.source)
            progress.update(task, completed=len(seen))

        with progress_bar() as progress:
            task = progress.add_task("Importing", total=total)
            report = import_records(store, paths, on_item=advance)
    out.print(
        f"Read {len(report.files)} file(s). Imported {report.stored} article(s): "
        f"{report.inserted} new, {report.updated} updated, {report.unchanged} unchanged; "
        f"{len(report.failures)} not imported."
    )
    if report.failures:
        table = Table(title=f"{len(report.failures)} input(s) not imported", title_style="red")
        table.add_column("input", overflow="fold")
        table.add_column("reason", overflow="fold")
        for origin, reason in report.failures:
            table.add_row(escape(origin), escape(reason))
        err.print(table)
        if report.bugs:
            where = write_bug_log(report.bugs, opened_site.cache_dir)
            err.print(
                f"[yellow]{len(report.bugs)} failure(s) above came from bugs in topicwire, not "
                f"from the input; their details are in {escape(str(where))}[/]"
            )
        raise typer.Exit(1)


@app.command()
def export(
    fmt: Annotated[
        ExportFormat, typer.Option("--format", help="md: _news/YYYY-MM-DD-slug.md records.")
    ] = ExportFormat.MD,
    out_dir: Annotated[Path, typer.Option("--out", help="The folder to write into.")] = Path(
        "export"
    ),
    site: SiteOption = None,
) -> None:
    """Export every stored article as seed-format records or as one JSON Lines file."""
    from topicwire.publish.export import export_articles

    with opened(site) as (_, store), progress_bar() as progress:
        task = progress.add_task("Exporting", total=store.count_articles())
        report = export_articles(
            (stored.article for stored in store.iter_articles()),
            out_dir,
            fmt,
            on_item=lambda: progress.advance(task),
        )
    out.print(f"Wrote {report.count} article(s) to {escape(str(out_dir))}")


@app.command("list")
def list_(
    limit: Annotated[int, typer.Option(help="How many rows to show.", min=1)] = 50,
    offset: Annotated[int, typer.Option(help="How many newest rows to skip.", min=0)] = 0,
    site: SiteOption = None,
) -> None:
    """List stored articles, newest first: date, provider, title, quality, heat, published."""
    with opened(site) as (_, store):
        rows = store.list_articles(limit=limit, offset=offset)
        total = store.count_articles()
    out.print(article_table(rows, total))


@app.command()
def show(
    key: Annotated[str, typer.Argument(help="The article's id or URL.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of the record.")] = (
        False
    ),
    site: SiteOption = None,
) -> None:
    """Print one stored article as its seed-format record (or as JSON)."""
    from topicwire.jsonl import dumps_article
    from topicwire.record import dump_record

    with opened(site) as (_, store):
        found = store.get_article(int(key) if key.isdigit() else key)
    if found is None:
        fail(f"no article with id or URL {key!r}")
    text = dumps_article(found.article) if as_json else dump_record(found.article)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


@app.command()
def decrypt(
    record: Annotated[Path, typer.Argument(help="A record file (.md) with a secured field.")],
    site: SiteOption = None,
) -> None:
    """Open a record's secured field with the site key and print its JSON payload."""
    from topicwire.record import read_record
    from topicwire.secured import load_key, open_sealed
    from topicwire.site import open_site

    article = read_record(record)
    if not article.secured:
        fail(f"{record} has no secured field")
    in_site = site is not None or Path("topicwire.toml").exists()
    key = load_key(open_site(site).root if in_site else None)
    try:
        payload = open_sealed(article.secured, key)
    except ForeignSecuredError as exc:
        fail(f"{record}: {exc}")
    out.print_json(json.dumps(payload.model_dump(by_alias=True), ensure_ascii=False))


def article_table(rows: list[StoredArticle], total: int) -> Table:
    """Stored articles as a table: id, date, provider, title, quality, heat, published."""
    table = Table(
        title=f"{len(rows)} of {total} article(s), newest first",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column("id", justify="right", style="dim")
    table.add_column("date", no_wrap=True)
    table.add_column("provider", max_width=14, overflow="ellipsis", no_wrap=True)
    table.add_column("title", min_width=18, ratio=1, overflow="fold")
    table.add_column("quality", justify="right")
    table.add_column("heat", justify="right")
    table.add_column("published", justify="center", no_wrap=True, width=9)
    for row in rows:
        art = row.article
        table.add_row(
            str(row.id),
            art.published_at.strftime("%Y-%m-%d") if art.published_at else "-",
            escape((art.provider.name or art.provider.domain or "-") if art.provider else "-"),
            escape(art.title),
            "-" if art.quality is None else str(art.quality),
            "-" if art.heat is None else str(art.heat),
            {True: "yes", False: "no", None: "-"}[art.published],
        )
    return table
