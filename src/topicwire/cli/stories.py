"""Commands on stories: cluster (any JSON Lines file, no site needed)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from topicwire.cli.app import SiteOption, app
from topicwire.cluster.batch import cluster_items, dumps_assignments, read_items
from topicwire.cluster.stories import ClusterConfig
from topicwire.site import open_site


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
    config = ClusterConfig()
    if site is not None or Path("topicwire.toml").exists():
        window = float(open_site(site).settings.get("stories.window_days"))
        config = ClusterConfig(window_days=window)
    pairs = cluster_items(read_items(jsonl), config=config)
    sys.stdout.write(dumps_assignments(pairs))
