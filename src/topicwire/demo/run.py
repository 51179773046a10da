"""``topicwire demo``: a site made from the demo corpus, served locally and fetched for real.

The demo server answers for invented hosts (``wirepoint.example`` ...); the demo site's settings
map those names to 127.0.0.1 and allow exactly that address through the SSRF guard, so the fetch
goes through every real check: robots.txt, timeouts, size caps, conditional GET.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from topicwire.demo.corpus import PROVIDERS, demo_topics, shifted
from topicwire.demo.server import demo_hosts, feed_url, logo_url, serve
from topicwire.errors import SiteError
from topicwire.model import Image, Provider, Source
from topicwire.publish.build import PublishReport, publish_site
from topicwire.refresh import Progress, RefreshReport, refresh
from topicwire.settings import SETTINGS_FILE_NAME, render_settings_file
from topicwire.site import Site, init_site, open_site
from topicwire.sources import write_opml
from topicwire.store import Store
from topicwire.taxonomy import dump_provider, dump_topic

#: A slow page takes longer than the demo's total timeout, so it fails the way it would live.
SLOW_SECONDS = 4.0
DEMO_SETTINGS = {
    "fetch.allowed_networks": "127.0.0.1/32",
    "fetch.politeness_delay": 0.05,
    "fetch.total_timeout": 1.5,
    "fetch.read_timeout": 1.5,
}


@dataclass
class DemoRun:
    """What the demo made: the site, the first fetch and the second (conditional) one."""

    site: Site
    first: RefreshReport
    second: RefreshReport
    published: PublishReport


def run_demo(
    directory: Path, *, replace: bool = False, on_progress: Progress | None = None
) -> DemoRun:
    """Create the demo site in ``directory``, serve the corpus, fetch it twice, return reports."""
    if directory.exists() and any(directory.iterdir()):
        if not replace:
            raise SiteError(f"{directory} already exists; pass --replace to make the demo anew")
        if not (directory / SETTINGS_FILE_NAME).exists():
            raise SiteError(f"{directory} is not a topicwire site; refusing to replace it")
        shutil.rmtree(directory)
    site = init_site(directory, topic="AI", title="topicwire demo")
    for path in site.topics_dir.glob("*.yaml"):
        path.unlink()
    for number, topic in enumerate(demo_topics()):
        (site.topics_dir / f"{number:02d}-{topic.id}.yaml").write_text(dump_topic(topic), "utf-8")
    now = datetime.now(UTC)
    with serve(slow_seconds=SLOW_SECONDS, articles=shifted(now)) as port:
        for item in PROVIDERS:
            logo = Image(url=logo_url(item.host, port), width=96, height=96)
            registry = Provider(name=item.name, domain=item.host, images=[logo])
            (site.providers_dir / f"{item.host}.md").write_text(dump_provider(registry), "utf-8")
        values = {**site.settings.as_dict(), **DEMO_SETTINGS}
        values["fetch.host_overrides"] = ",".join(f"{host}=127.0.0.1" for host in demo_hosts())
        site.settings_file.write_text(render_settings_file(values), encoding="utf-8")
        site = open_site(directory)
        with Store.open(site.database_url) as store:
            store.upsert_topics(site.topics())
            store.upsert_providers(site.providers())
            store.add_sources(
                Source(url=feed_url(host, port), kind="auto") for host in demo_hosts()
            )
            site.sources_file.write_text(
                write_opml(store.list_sources(), title=site.title), encoding="utf-8"
            )
            first = refresh(site, store, force=True, now=now, on_progress=on_progress)
            second = refresh(site, store, force=True, now=now, on_progress=on_progress)
            published = publish_site(site, store, now=now)
    return DemoRun(site=site, first=first, second=second, published=published)
