"""Commands on stories: list them, show one, update them, merge and split them (editors),
an editor's publish decision, and ``cluster`` for any JSON Lines file (no site needed)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from topicwire.cli.app import SiteOption, app, fail, opened, out
from topicwire.errors import StoreError

if TYPE_CHECKING:
    from topicwire.cluster.stage import StoryReport
    from topicwire.site import Site
    from topicwire.store import Store

SPARKS = "▁▂▃▄▅▆▇█"
#: hourly points shown in a sparkline
SPARK_HOURS = 24


def sparkline(values: Sequence[int], *, top: int = 100) -> str:
    """One block character per value (0..``top``), lowest to highest."""
    steps = len(SPARKS) - 1
    return "".join(SPARKS[round(max(0, min(v, top)) / top * steps)] for v in values)


def recent_heat(history: Sequence[tuple[datetime, int]], now: datetime | None = None) -> list[int]:
    """The heat points of the last :data:`SPARK_HOURS` hours (none for a story gone cold)."""
    since = (now or datetime.now(UTC)) - timedelta(hours=SPARK_HOURS)
    return [value for at, value in history if at > since]


stories_app = typer.Typer(
    help="List stories (hottest first); update, merge and split them.",
    rich_markup_mode=None,
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(stories_app, name="stories")


@stories_app.callback()
def stories_list(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", help="Stories shown.")] = 20,
    site: SiteOption = None,
) -> None:
    """Without a subcommand: a table of stories, hottest first, with their heat over the last
    day, their providers and their original report."""
    if ctx.invoked_subcommand is not None:
        return
    with opened(site) as (_, store):
        table = story_table(store, limit)
    if table is None:
        out.print("No stories yet: run `topicwire fetch` or `topicwire stories update`.")
        return
    out.print(table)


def story_table(store: Store, limit: int = 20) -> Table | None:
    """The hottest stories as a table (``None`` when there are none)."""
    stories = store.list_stories(limit=limit)
    if not stories:
        return None
    originals = store.get_articles(
        s.original_article_id for s in stories if s.original_article_id is not None
    )
    table = Table(title="Stories", title_justify="left", box=box.SIMPLE_HEAD)
    for name, justify in (
        ("id", "right"),
        ("heat", "right"),
        ("last 24 h", "left"),
        ("story", "left"),
        ("providers", "right"),
        ("articles", "right"),
        ("original report", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for story in stories:
        history = recent_heat(store.story_heat_history(story.id))
        original = originals.get(story.original_article_id or -1)
        provider = None
        if original is not None and original.article.provider is not None:
            provider = original.article.provider.name or original.article.provider.domain
        table.add_row(
            str(story.id),
            str(story.heat),
            sparkline(history),
            escape(story.title),
            str(story.provider_count),
            str(story.article_count),
            escape(provider or ""),
        )
    return table


@stories_app.command("update")
def stories_update(site: SiteOption = None) -> None:
    """Cluster articles that are in no story yet and bring every warm story's heat up to now."""
    with opened(site) as (opened_site, store):
        report = _run_stage(opened_site, store)
    print_story_report(report)


@stories_app.command("merge")
def stories_merge(
    keep: Annotated[int, typer.Argument(help="The story that stays.")],
    other: Annotated[int, typer.Argument(help="The story merged into it (it disappears).")],
    site: SiteOption = None,
) -> None:
    """An editor merges two stories; clustering never separates them again."""
    with opened(site) as (opened_site, store):
        try:
            store.merge_stories(keep, other)
        except StoreError as exc:
            fail(str(exc))
        _run_stage(opened_site, store, touch=[keep])
    out.print(f"Merged story {other} into story {keep}.")


@stories_app.command("split")
def stories_split(
    story: Annotated[int, typer.Argument(help="The story to split.")],
    articles: Annotated[list[int], typer.Argument(help="Article ids moved to a new story.")],
    site: SiteOption = None,
) -> None:
    """An editor moves some articles of a story into a new story; clustering keeps them apart."""
    with opened(site) as (opened_site, store):
        try:
            new = store.split_story(story, articles)
        except StoreError as exc:
            fail(str(exc))
        _run_stage(opened_site, store, touch=[story, new])
    out.print(f"Moved {len(articles)} article(s) of story {story} to new story {new}.")


@app.command("story")
def story_show(
    story_id: Annotated[int, typer.Argument(help="A story id (see `topicwire stories`).")],
    site: SiteOption = None,
) -> None:
    """All the coverage of one story: who reported it when, the original report, copies and
    the heat over the last day."""
    with opened(site) as (_, store):
        story = store.get_story(story_id)
        if story is None:
            fail(f"no story {story_id}")
        members = store.story_members(story_ids=[story_id])
        history = store.story_heat_history(story_id)
    out.print(f"[bold]{escape(story.title)}[/]")
    out.print(
        f"story {story.id} · heat {story.heat} {sparkline(recent_heat(history))}"
        f" · {story.provider_count} provider(s) · {story.article_count} article(s)"
    )
    table = Table(box=box.SIMPLE_HEAD)
    for name in ("id", "published", "provider", "title", "quality", ""):
        table.add_column(name)
    for member in members:
        note = ""
        if member.id == story.original_article_id:
            note = "original report"
        elif member.copy_of_id is not None:
            note = f"copy of {member.copy_of_id}"
        table.add_row(
            str(member.id),
            _when(member.published_at),
            escape(member.domain or ""),
            escape(member.title),
            "" if member.quality is None else str(member.quality),
            note,
        )
    out.print(table)


@app.command("review")
def review(
    article_id: Annotated[int, typer.Argument(help="An article id.")],
    publish: Annotated[
        bool | None,
        typer.Option(
            "--publish/--unpublish",
            help="Publish or unpublish the article whatever the rule says.",
            show_default=False,
        ),
    ] = None,
    auto: Annotated[
        bool, typer.Option("--auto", help="Drop the editor's decision: the rule decides again.")
    ] = False,
    site: SiteOption = None,
) -> None:
    """An editor's publish decision on one article (the rule never overrides it)."""
    if (publish is None) == (not auto):
        fail("give exactly one of --publish, --unpublish or --auto")
    with opened(site) as (opened_site, store):
        try:
            store.set_editor_published(article_id, None if auto else publish)
        except StoreError as exc:
            fail(str(exc))
        stored = store.get_article(article_id)
        if auto and stored is not None and stored.story_id is not None:
            _run_stage(opened_site, store, touch=[stored.story_id])
            stored = store.get_article(article_id)
    state = "published" if stored is not None and stored.article.published else "not published"
    who = "by rule" if auto else "by editor"
    out.print(f"Article {article_id}: {state} ({who}).")


@app.command("delete")
def delete(
    article_ids: Annotated[list[int], typer.Argument(help="Article ids to delete.")],
    site: SiteOption = None,
) -> None:
    """Delete articles for good (a takedown); their stories are updated, and the next
    `topicwire publish` removes their pages and records."""
    with opened(site) as (opened_site, store):
        known = store.story_members(ids=article_ids)
        missing = sorted(set(article_ids) - {m.id for m in known})
        if missing:
            fail(f"no article {', '.join(map(str, missing))}")
        stories = store.delete_articles(article_ids)
        if stories:
            _run_stage(opened_site, store, touch=stories)
    out.print(f"Deleted {len(article_ids)} article(s); {len(stories)} story(ies) updated.")


def _run_stage(site: Site, store: Store, *, touch: Sequence[int] = ()) -> StoryReport:
    from topicwire.cluster.stage import stage_for_site

    return stage_for_site(site, store).run(touch=touch)


def print_story_report(report: StoryReport) -> None:
    """A one-table summary of a stories-stage run."""
    table = Table(title="Stories", title_justify="left", box=box.SIMPLE_HEAD)
    for name in ("clustered", "joined", "new stories", "copies", "updated", "cooled"):
        table.add_column(name, justify="right")
    table.add_row(
        str(report.clustered),
        str(report.joined),
        str(report.new_stories),
        str(report.copies),
        str(report.touched_stories),
        str(report.cooled_stories),
    )
    out.print(table)


def _when(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%d %H:%M")


@app.command()
def cluster(
    jsonl: Annotated[
        Path,
        typer.Argument(
            help="JSON Lines: id, title, text; optional url, publishedDateTime, provider.",
            dir_okay=False,
            exists=True,
        ),
    ],
    site: SiteOption = None,
) -> None:
    """Cluster articles into stories; print {"id": ..., "story": ...} per article."""
    from topicwire.cluster.batch import cluster_items, dumps_assignments, read_items
    from topicwire.cluster.stories import ClusterConfig
    from topicwire.site import open_site

    config = ClusterConfig()
    if site is not None or Path("topicwire.toml").exists():
        window = float(open_site(site).settings.get("stories.window_days"))
        config = ClusterConfig(window_days=window)
    pairs = cluster_items(read_items(jsonl), config=config)
    sys.stdout.write(dumps_assignments(pairs))
