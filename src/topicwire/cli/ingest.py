"""Commands that read the web: sources, fetch, extract, and the demo that shows them together."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.markup import escape
from rich.progress import TaskID
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
from topicwire.cli.publish import print_publish_report
from topicwire.cli.records import article_table
from topicwire.cli.stories import print_story_report, story_table
from topicwire.errors import TopicwireError

if TYPE_CHECKING:
    from topicwire.enrich.stage import Enricher
    from topicwire.extract import Extracted
    from topicwire.refresh import RefreshReport
    from topicwire.site import Site
    from topicwire.store import Store

sources_app = typer.Typer(
    help="List, add, import and export what the site reads.",
    rich_markup_mode=None,
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(sources_app, name="sources")


def _sync_opml(site: Site, store: Store) -> None:
    """Keep the site's sources.opml the same as the sources in the store."""
    from topicwire.sources import write_opml

    site.sources_file.write_text(write_opml(store.list_sources(), title=site.title), "utf-8")


@sources_app.callback()
def sources_list(ctx: typer.Context, site: SiteOption = None) -> None:
    """Without a subcommand: a table of sources (URL, kind, last status, errors, next check)."""
    if ctx.invoked_subcommand is not None:
        return
    with opened(site) as (_, store):
        rows = store.list_sources()
    table = Table(title=f"{len(rows)} source(s)", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("url", overflow="fold", ratio=2, min_width=30)
    table.add_column("kind")
    table.add_column("last status", justify="right")
    table.add_column("errors", justify="right")
    table.add_column("next check", no_wrap=True)
    table.add_column("last error", overflow="fold", ratio=1, style="red")
    for row in rows:
        table.add_row(
            escape(row.url),
            row.kind,
            "-" if row.last_status is None else str(row.last_status),
            str(row.error_count),
            row.next_check_at.strftime("%Y-%m-%d %H:%M") if row.next_check_at else "now",
            escape(row.last_error or ""),
        )
    out.print(table)


@sources_app.command("add")
def sources_add(
    urls: Annotated[list[str], typer.Argument(help="Feed, sitemap or article URLs.")],
    site: SiteOption = None,
) -> None:
    """Add sources by URL (a feed, a sitemap, or a single article page)."""
    from topicwire.model import Source

    bad = [url for url in urls if not url.startswith(("http://", "https://"))]
    if bad:
        fail(f"only http and https URLs can be sources: {', '.join(bad)}")
    with opened(site) as (opened_site, store):
        added = store.add_sources(Source(url=url, kind="auto") for url in urls)
        _sync_opml(opened_site, store)
    out.print(f"Added {added} source(s); {len(urls) - added} already known.")


@sources_app.command("import")
def sources_import(
    opml: Annotated[Path, typer.Argument(help="An OPML file.", dir_okay=False, exists=True)],
    site: SiteOption = None,
) -> None:
    """Import sources from an OPML file, recovering what a broken file still holds."""
    from topicwire.sources import read_opml

    result = read_opml(opml.read_bytes(), path=str(opml))
    with opened(site) as (opened_site, store):
        added = store.add_sources(result.sources)
        _sync_opml(opened_site, store)
    how = " (the file is not well-formed; recovered)" if result.recovered else ""
    out.print(f"Read {len(result.sources)} source(s) from {escape(str(opml))}{how}; added {added}.")
    for problem in result.problems:
        err.print(f"[yellow]warning:[/] {escape(problem)}")


@sources_app.command("export")
def sources_export(
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write here instead of standard output.")
    ] = None,
    site: SiteOption = None,
) -> None:
    """Export the sources as OPML."""
    from topicwire.sources import write_opml

    with opened(site) as (opened_site, store):
        text = write_opml(store.list_sources(), title=opened_site.title)
    if out_file is None:
        sys.stdout.write(text)
    else:
        out_file.write_text(text, encoding="utf-8")
        out.print(f"Wrote {escape(str(out_file))}")


@app.command()
def fetch(
    force: Annotated[
        bool, typer.Option("--all", help="Fetch every source now, and re-fetch known articles.")
    ] = False,
    site: SiteOption = None,
) -> None:
    """Fetch due sources, extract and repair their articles, and store them."""
    from topicwire.refresh import refresh

    with opened(site) as (opened_site, store), progress_bar() as progress:
        tasks: dict[str, TaskID] = {}

        def on_progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage.capitalize(), total=total)
            progress.update(tasks[stage], completed=done, total=total)

        report = refresh(opened_site, store, force=force, on_progress=on_progress)
    print_report(report)
    if report.bugs:
        where = write_bug_log(report.bugs, opened_site.cache_dir)
        err.print(
            f"[yellow]{len(report.bugs)} failure(s) above came from bugs in topicwire, not from "
            f"the input; their details are in {escape(str(where))}[/]"
        )


def print_report(report: RefreshReport, *, limit: int = 25) -> None:
    """The summary of a fetch: sources, articles, images, then the failures with reasons."""
    table = Table(title="Fetch summary", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("")
    for name in ("ok", "not modified", "new", "updated", "unchanged", "skipped", "failed"):
        table.add_column(name, justify="right")
    table.add_row(
        "sources",
        str(report.sources_ok),
        str(report.sources_not_modified),
        "",
        "",
        "",
        "",
        _red(report.sources_failed),
    )
    table.add_row(
        "articles",
        "",
        "",
        str(report.articles_new),
        str(report.articles_updated),
        str(report.articles_unchanged),
        str(report.articles_known),
        _red(report.articles_failed),
    )
    table.add_row(
        "images", str(report.images_cached), "", "", "", "", "", _red(report.images_failed)
    )
    out.print(table)
    if report.stories is not None:
        print_story_report(report.stories)
    if report.failures:
        failures = Table(
            title=f"{len(report.failures)} failure(s), recorded with the source",
            title_justify="left",
            box=box.SIMPLE_HEAD,
        )
        failures.add_column("url", overflow="fold", ratio=1)
        failures.add_column("reason", overflow="fold", ratio=1)
        for url, reason in report.failures[:limit]:
            failures.add_row(escape(url), escape(reason))
        out.print(failures)
        if len(report.failures) > limit:
            out.print(f"... and {len(report.failures) - limit} more (see `topicwire sources`)")


def _red(count: int) -> str:
    return f"[red]{count}[/]" if count else "0"


class ExtractFormat(StrEnum):
    """What ``extract`` prints."""

    JSON = "json"
    JSONL = "jsonl"
    MD = "md"


@app.command()
def extract(
    inputs: Annotated[
        list[str], typer.Argument(help="Local HTML, text or markdown files, URLs, or - for stdin.")
    ],
    url: Annotated[
        str | None, typer.Option("--url", help="The URL a single local input was found at.")
    ] = None,
    fmt: Annotated[ExtractFormat, typer.Option("--format", help="Output format.")] = (
        ExtractFormat.JSON
    ),
    site: SiteOption = None,
) -> None:
    """Extract clean text and metadata from pages or files, repairing what the web broke."""
    from topicwire.enrich.stage import Enricher
    from topicwire.fetch import FetchConfig
    from topicwire.pipeline import extract_input
    from topicwire.refresh import make_enricher
    from topicwire.site import open_site

    if url is not None and len(inputs) != 1:
        fail("--url applies to a single input")
    if fmt is ExtractFormat.JSON and len(inputs) != 1:
        fail("--format json prints one object; use --format jsonl for several inputs")
    providers, config = [], FetchConfig()
    enricher = Enricher([])  # outside a site: type, locale and quality, no taxonomy
    in_site = site is not None or Path("topicwire.toml").exists()
    if in_site:
        the_site = open_site(site)
        providers, config = the_site.providers(), the_site.fetch_config()
        enricher = make_enricher(the_site, providers)
    failed = 0
    for item in inputs:
        try:
            extracted = extract_input(item, url=url, providers=providers, fetch_config=config)
        except (TopicwireError, OSError) as exc:  # reported; the other inputs go on
            failed += 1
            err.print(f"[bold red]error:[/] {escape(item)}: {escape(str(exc))}")
            continue
        _print_extracted(extracted, enricher, item, fmt)
    if failed:
        raise typer.Exit(1)


def _print_extracted(
    extracted: Extracted, enricher: Enricher, item: str, fmt: ExtractFormat
) -> None:
    from topicwire.jsonl import article_to_json
    from topicwire.record import dump_record

    (article,) = enricher.enrich([extracted.to_article()])
    if fmt is ExtractFormat.MD:
        sys.stdout.write(dump_record(article))
        return
    data = article_to_json(article)
    for private in ("body", "meta", "text", "repairs"):
        data.pop(private, None)
    data["text"] = extracted.text
    data["repairs"] = extracted.repairs.as_dict()
    data["qualitySignals"] = article.quality_signals
    if article.topic_evidence:
        data["topicEvidence"] = article.topic_evidence
    if fmt is ExtractFormat.JSONL:
        data = {"path": item, **data}
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@app.command()
def demo(
    directory: Annotated[
        Path, typer.Argument(help="Where to make the demo site.", file_okay=False)
    ] = Path("demo-site"),
    replace: Annotated[
        bool, typer.Option("--replace", help="Replace an existing demo site there.")
    ] = False,
) -> None:
    """Make a demo site from the bundled corpus, serve it on 127.0.0.1, fetch it and report."""
    from topicwire.demo.run import run_demo
    from topicwire.store import Store

    with progress_bar() as progress:
        tasks: dict[str, TaskID] = {}

        def on_progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage.capitalize(), total=total)
            progress.update(tasks[stage], completed=done, total=total)

        run = run_demo(directory, replace=replace, on_progress=on_progress)
    out.print(f"[bold]Demo site:[/] {escape(str(run.site.root))}")
    out.print("\n[bold]First fetch[/]")
    print_report(run.first)
    out.print("[bold]Second fetch[/] (conditional GET: unchanged feeds answer 304)")
    print_report(run.second)
    with Store.open(run.site.database_url) as store:
        out.print(article_table(store.list_articles(limit=50), store.count_articles()))
        stories = story_table(store)
        if stories is not None:
            out.print(stories)
    print_publish_report(run.published)
    out.print(f"Preview it: topicwire serve --static --site {escape(str(run.site.root))}")
