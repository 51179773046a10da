"""Commands on topics and scores: topics (the tree), explain (why), enrich (run the stage again)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich import box
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from topicwire.cli.app import SiteOption, app, fail, opened, out, progress_bar

if TYPE_CHECKING:
    from topicwire.model import Article
    from topicwire.site import Site
    from topicwire.store import Store


@app.command()
def topics(site: SiteOption = None) -> None:
    """The site's taxonomy as a tree, with the number of stored articles per topic."""
    from topicwire.taxonomy import topic_tree

    with opened(site) as (opened_site, store):
        counts = store.topic_counts()
        taxonomy = opened_site.topics()
    tree = Tree(f"[bold]{escape(opened_site.title)}[/] taxonomy")
    branches: list[Tree] = [tree]
    for topic, depth in topic_tree(taxonomy):
        del branches[depth + 1 :]
        count = counts.get(topic.name, 0)
        label = f"{escape(topic.name)} [dim]({topic.id})[/]  {count} article(s)"
        branches.append(branches[depth].add(label))
    out.print(tree)


@app.command()
def explain(
    key: Annotated[str, typer.Argument(help="A stored article's id or URL, or a local file.")],
    site: SiteOption = None,
) -> None:
    """Why an article has its topics (keywords, where, similarity) and its quality (signals)."""
    with opened(site) as (opened_site, store):
        article = _explained(opened_site, store, key)
    out.print(f"[bold]{escape(article.title)}[/]")
    off = article.published is False and not article.topics
    out.print(
        f"type {article.type or '-'}, locale {article.locale or '-'}"
        + (", [red]off-topic[/]" if off else "")
    )
    table = Table(title="Topics", title_justify="left", box=box.SIMPLE_HEAD)
    for name in ("topic", "via", "similarity", "keywords (where x count)"):
        table.add_column(name, overflow="fold")
    for name in article.topics:
        evidence: dict[str, Any] = article.topic_evidence.get(name, {})
        keywords = ", ".join(
            f"{k['keyword']} ({k['where']} x{k['count']})" for k in evidence.get("keywords", [])
        )
        similarity = evidence.get("similarity")
        table.add_row(
            escape(name),
            escape(str(evidence.get("via", "-"))),
            "-" if similarity is None else f"{similarity:.3f}",
            escape(keywords or "-"),
        )
    out.print(table if article.topics else "No topic: the article is off-topic for this site.")
    signals = Table(
        title=f"Quality {article.quality if article.quality is not None else '-'}/100",
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    signals.add_column("signal")
    signals.add_column("contribution", justify="right")
    signals.add_column("reason", overflow="fold", ratio=1)
    for signal in article.quality_signals:
        contribution = signal.get("contribution", 0)
        colour = "green" if contribution > 0 else "red" if contribution < 0 else "dim"
        signals.add_row(
            escape(str(signal.get("name", "?"))),
            f"[{colour}]{contribution:+g}[/]",
            escape(str(signal.get("reason", ""))),
        )
    out.print(signals)


def _explained(site: Site, store: Store, key: str) -> Article:
    """The article to explain: stored (by id or URL), or a local file extracted and scored now."""
    from topicwire.pipeline import extract_input
    from topicwire.refresh import make_enricher

    if Path(key).is_file():
        article = extract_input(key, providers=site.providers()).to_article()
        return make_enricher(site, store.list_providers()).enrich([article])[0]
    found = store.get_article(int(key) if key.isdigit() else key)
    if found is None:
        fail(f"no article with id or URL {key!r}, and no such file")
    return found.article


@app.command()
def enrich(site: SiteOption = None) -> None:
    """Run topics, type, language and quality again over every stored article."""
    from topicwire.pipeline import enrich_stored
    from topicwire.refresh import make_enricher

    with opened(site) as (opened_site, store), progress_bar() as progress:
        task = progress.add_task("Enriching", total=store.count_articles())
        report = enrich_stored(
            store,
            make_enricher(opened_site, store.list_providers()),
            on_batch=lambda n: progress.advance(task, n),
        )
    out.print(
        f"Enriched {report.changed + report.unchanged} article(s): "
        f"{report.changed} changed, {report.unchanged} unchanged."
    )
