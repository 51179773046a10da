"""``topicwire publish``: everything under ``out/`` from what the store holds.

Reading top to bottom: one snapshot of the store (:mod:`.snapshot`); the renderers, each a pure
function of it — records (``_news/``), the static JSON API (``api/``), the HTML site, the feeds
and today's newsletter; cached images linked in from ``cache/images``; then one incremental,
atomic write (:mod:`.writer`). A renderer that fails stops the publish before anything is
written, so ``out/`` stays as the last good publish left it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from topicwire.imagecache import cached_file
from topicwire.model import Image
from topicwire.publish.feeds import render_feeds
from topicwire.publish.html import render_site
from topicwire.publish.jsonapi import render_json_api
from topicwire.publish.newsletter import render_newsletter
from topicwire.publish.snapshot import PublishedArticle, Snapshot, load_snapshot
from topicwire.publish.writer import WriteReport, write_tree
from topicwire.record import dump_record
from topicwire.site import Site
from topicwire.store import Store

log = logging.getLogger(__name__)

#: folders of ``out/`` that a publish keeps even when it does not render them again
KEEP = ("newsletters/",)


@dataclass
class PublishReport:
    """What a publish did."""

    out: Path
    articles: int = 0
    stories: int = 0
    topics: int = 0
    images: int = 0
    seconds: float = 0.0
    write: WriteReport = field(default_factory=WriteReport)


def site_snapshot(
    site: Site, store: Store, *, include_unpublished: bool = False, now: datetime | None = None
) -> Snapshot:
    """The snapshot of ``site`` with its publish settings."""
    settings = site.settings
    return load_snapshot(
        store,
        title=site.title,
        base_url=str(settings.get("site.base_url")),
        locale=str(settings.get("site.locale")),
        topics=site.topics(),
        include_unpublished=include_unpublished,
        minimum_heat=int(settings.get("publish.minimum_heat")),
        page_size=int(settings.get("publish.page_size")),
        max_pages=int(settings.get("publish.max_pages")),
        now=now,
    )


def render_records(snapshot: Snapshot) -> dict[str, bytes]:
    """One seed-format record per article of the snapshot: ``_news/<slug>.md``."""
    return {
        item.record_path: dump_record(item.article).encode("utf-8")
        for item in snapshot.articles.values()
    }


def site_images(snapshot: Snapshot, images_dir: Path) -> tuple[Snapshot, dict[str, Path]]:
    """The snapshot as the HTML site shows it: cached images point at ``images/...`` copies in
    ``out/`` (the files to link are returned), links are site-relative."""
    files: dict[str, Path] = {}

    def local(image: Image) -> Image:
        if not image.is_cached:
            return image
        found = cached_file(image, images_dir)
        if found is None:  # the cache lost it: shown as not cached (never hotlinked)
            return image.model_copy(update={"is_cached": False})
        path = f"images/{found.parent.name}/{found.name}"
        files[path] = found
        return image.model_copy(update={"url": f"/{path}"})

    def moved(items: Mapping[int, PublishedArticle]) -> dict[int, PublishedArticle]:
        result = {}
        for key, item in items.items():
            article = item.article.model_copy(
                update={"images": [local(image) for image in item.article.images]}
            )
            result[key] = replace(item, article=article)
        return result

    providers = {
        domain: provider.model_copy(update={"images": [local(i) for i in provider.images[:1]]})
        for domain, provider in snapshot.providers.items()
    }
    shown = replace(
        snapshot,
        base_url="",
        articles=moved(snapshot.articles),
        coverage=moved(snapshot.coverage),
        providers=providers,
    )
    return shown, files


def publish_site(
    site: Site,
    store: Store,
    *,
    include_unpublished: bool = False,
    now: datetime | None = None,
) -> PublishReport:
    """Render everything and write ``out/`` (see the module docstring)."""
    started = time.perf_counter()
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    snapshot = site_snapshot(site, store, include_unpublished=include_unpublished, now=moment)
    sources = [(source.url, source.title) for source in store.list_sources()]
    shown, images = site_images(snapshot, site.images_dir)
    files: dict[str, bytes | Path] = {}
    files.update(render_records(snapshot))
    files.update(render_json_api(snapshot))
    files.update(render_site(shown, sources=sources))
    files.update(render_feeds(snapshot))
    files.update(render_newsletter(snapshot, moment.date()))
    files.update(images)
    report = PublishReport(
        out=site.out_dir,
        articles=len(snapshot.articles),
        stories=len(snapshot.stories),
        topics=len(snapshot.topics),
        images=len(images),
    )
    report.write = write_tree(site.out_dir, files, keep=KEEP)
    report.seconds = time.perf_counter() - started
    return report


def write_newsletter(site: Site, store: Store, day: date) -> list[Path]:
    """Render the newsletter of ``day`` into ``out/newsletters/`` (other outputs untouched)."""
    snapshot = site_snapshot(site, store)
    written = []
    for path, data in sorted(render_newsletter(snapshot, day).items()):
        target = site.out_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        staged = target.with_name(f".{target.name}.tmp")
        staged.write_bytes(data)
        staged.replace(target)
        written.append(target)
    return written
