"""``topicwire publish``: everything under ``out/`` from what the store holds.

Reading top to bottom: one snapshot of the store (:mod:`.snapshot`: an index of every article,
the stories, and articles read only when something shows them); a key per output unit — an
article's record, its page, its images, a story's page and JSON — computed from the index
alone; the units whose key changed since the last publish rendered again, with the pages every
publish renders (home, topic pages and listings, feeds, today's newsletter, about); then one
incremental, atomic write (:mod:`.writer`) that keeps the other units' files as they are.

A key is a digest of everything its output shows: the article's revision (its row's
``changed_at``, set by every content write) and index fields, its story's row and members, the
registry entry of its outlet, the site's settings and this code's own files. So a publish after
100 new articles reads and renders those articles, their stories and the shared pages, not the
whole site. A renderer that fails stops the publish before anything is written, so ``out/``
stays as the last good publish left it.

The work is cut into pieces: the shared files (home and about, the topic pages, the JSON
listings, the feeds, the newsletter: one piece, as they show the same articles) and groups of
about :data:`PART_SIZE` units, a story's units with its articles'. A large publish hands the
pieces to forked workers (all cores) and the parent only collects. A first or full publish has
nothing to compare keys with: the keys, and the stories' heat histories, are then worked out
by whichever process renders the unit, not by the parent before it forks.

The lock on ``out/`` is held from the first read to the last write; a first publish (no
``out/`` yet) has each piece write its files where ``out/`` is being built, so that file
creation runs in the workers too and only hashes come back.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

import topicwire
from topicwire.imagecache import cached_file
from topicwire.model import Image, Provider
from topicwire.publish.feeds import render_feeds
from topicwire.publish.html import SiteRenderer, stories_with_pages
from topicwire.publish.jsonapi import JsonApi, story_json_path
from topicwire.publish.newsletter import render_newsletter
from topicwire.publish.safety import web_links_only
from topicwire.publish.snapshot import (
    LazyArticles,
    PublishedArticle,
    PublishedStory,
    Snapshot,
    load_snapshot,
)
from topicwire.publish.writer import Output, Publishing, WriteReport, publishing, put_fresh
from topicwire.record import dump_record
from topicwire.site import Site
from topicwire.steps import step
from topicwire.store import Store

log = logging.getLogger(__name__)

#: folders of ``out/`` that a publish keeps even when it does not render them again
KEEP = ("newsletters/",)
#: modules besides ``topicwire.publish`` whose code shapes the outputs (part of every key)
RENDERING_MODULES = ("model.py", "record.py", "yamlout.py", "text.py", "imagecache.py")

Files = dict[str, Output]


@dataclass
class PublishReport:
    """What a publish did."""

    out: Path
    articles: int = 0
    stories: int = 0
    topics: int = 0
    images: int = 0
    #: output units (records, pages, images, stories) rendered this time / kept as they were
    rendered: int = 0
    kept: int = 0
    #: articles read from the store (an incremental publish reads only what it shows)
    loaded: int = 0
    #: processes that rendered the units (1: this one)
    workers: int = 1
    seconds: float = 0.0
    #: seconds by step: snapshot, keys, units, shared pages, write
    steps: dict[str, float] = field(default_factory=dict)
    write: WriteReport = field(default_factory=WriteReport)


def site_snapshot(
    site: Site,
    store: Store,
    *,
    include_unpublished: bool = False,
    now: datetime | None = None,
    histories: bool = True,
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
        histories=histories,
    )


def render_records(snapshot: Snapshot) -> dict[str, bytes]:
    """One seed-format record per article of the snapshot: ``_news/<slug>.md``."""
    return {
        item.record_path: dump_record(web_links_only(item.article)).encode("utf-8")
        for item in snapshot.articles.values()
    }


def _local(image: Image, images_dir: Path, files: dict[str, Path] | None = None) -> Image:
    """``image`` as the site shows it: a cached image points at its copy under ``images/``
    (added to ``files``); one the cache lost is shown as not cached (never hotlinked)."""
    if not image.is_cached:
        return image
    found = cached_file(image, images_dir)
    if found is None:
        return image.model_copy(update={"is_cached": False})
    path = f"images/{found.parent.name}/{found.name}"
    if files is not None:
        files[path] = found
    return image.model_copy(update={"url": f"/{path}"})


def article_images(item: PublishedArticle, images_dir: Path) -> dict[str, Path]:
    """The cached image files of one article, by their path under ``out/``."""
    files: dict[str, Path] = {}
    for image in item.article.images:
        _local(image, images_dir, files)
    return files


def site_images(snapshot: Snapshot, images_dir: Path) -> tuple[Snapshot, dict[str, Path]]:
    """The snapshot as the HTML site shows it: cached images point at ``images/...`` copies in
    ``out/``, links are site-relative. Also the files to link: the providers' logos, and
    every article's images when the snapshot's articles are plain dicts (a lazy snapshot's
    images are linked unit by unit, see :func:`article_images`)."""
    files: dict[str, Path] = {}

    def moved(item: PublishedArticle) -> PublishedArticle:
        images = [_local(image, images_dir, files) for image in item.article.images]
        return replace(item, article=item.article.model_copy(update={"images": images}))

    def view(items: Mapping[int, PublishedArticle]) -> Mapping[int, PublishedArticle]:
        if isinstance(items, LazyArticles):
            return items.view(moved)
        return {key: moved(item) for key, item in items.items()}

    providers = {
        domain: provider.model_copy(
            update={"images": [_local(i, images_dir, files) for i in provider.images[:1]]}
        )
        for domain, provider in snapshot.providers.items()
    }
    shown = snapshot.same_articles(
        base_url="",
        articles=view(snapshot.articles),
        coverage=view(snapshot.coverage),
        providers=providers,
    )
    return shown, files


@functools.cache
def code_version() -> str:
    """A digest of the code that renders: ``topicwire.publish`` (modules, templates, styles,
    schemas), the record writer and the model, and the package version. A new topicwire
    renders everything again."""
    digest = hashlib.sha256(topicwire.__version__.encode())
    package = resources.files("topicwire.publish")
    found = [p for p in _walk(package) if p.name.endswith((".py", ".j2", ".css", ".svg", ".json"))]
    found += [resources.files("topicwire").joinpath(name) for name in RENDERING_MODULES]
    for item in sorted(found, key=lambda p: str(p)):
        digest.update(item.name.encode())
        digest.update(item.read_bytes())
    return digest.hexdigest()


def _walk(folder: resources.abc.Traversable) -> Iterable[resources.abc.Traversable]:
    for item in folder.iterdir():
        if item.is_dir():
            if item.name != "__pycache__":
                yield from _walk(item)
        else:
            yield item


def _key(*parts: object) -> str:
    text = repr(parts).encode("utf-8", "surrogatepass")
    return hashlib.sha256(text, usedforsecurity=False).hexdigest()[:32]


class UnitKeys:
    """The key of every output unit of a snapshot (see the module docstring), from its index,
    stories and providers: nothing here loads an article."""

    def __init__(
        self,
        snapshot: Snapshot,
        shown_providers: Mapping[str, Provider],
        pages: Mapping[int, PublishedStory],
    ) -> None:
        self.snapshot = snapshot
        #: the stories with a page (:func:`stories_with_pages`)
        self.pages = pages
        #: each outlet's registry entry as the pages show it (its logo's copy), as a digest
        self.providers = {domain: _key(repr(p)) for domain, p in shown_providers.items()}
        topics = [(t.id, t.name, t.parent) for t in snapshot.topics]
        self.code = code_version()
        self.chrome = _key(
            self.code,
            snapshot.title,
            snapshot.base_url,
            snapshot.locale,
            topics,
            snapshot.page_size,
            snapshot.max_pages,
        )
        # answers asked for more than once (an article by its page and by its story), kept
        # here and not in a functools cache, which would keep every publish's snapshot alive
        self._articles: dict[int, str] = {}
        self._stories: dict[int, str] = {}

    def article(self, article_id: int) -> str:
        """What a page shows of one article that is not in its content: its place, its
        outlet's registry entry, whether it has a page (asked for by its page's key and again
        by its story's), as a digest: the keys that hold it stay short to hash."""
        found = self._articles.get(article_id)
        if found is None:
            found = self._articles[article_id] = self._article(article_id)
        return found

    def _article(self, article_id: int) -> str:
        snapshot = self.snapshot
        info = snapshot.index.get(article_id)
        if info is None:
            return _key(article_id, None)
        provider = self.providers.get(info.domain) if info.domain else None
        return _key(
            article_id,
            info.revision,
            info.published,
            info.story_id,
            info.copy_of_id,
            snapshot.slugs.get(article_id),
            article_id in snapshot.articles,
            provider,
        )

    def story(self, story_id: int) -> str:
        """A story's row and every member as the pages show them."""
        found = self._stories.get(story_id)
        if found is None:
            found = self._stories[story_id] = self._story(story_id)
        return found

    def _story(self, story_id: int) -> str:
        story = self.snapshot.stories[story_id]
        members = [self.article(i) for i in story.article_ids]
        sources = [
            self.article(info.copy_of_id)
            for i in story.article_ids
            if (info := self.snapshot.index.get(i)) is not None and info.copy_of_id is not None
        ]
        return _key(
            story.id,
            story.title,
            story.heat,
            story.original_id,
            story.first_published_at,
            story.last_published_at,
            story.provider_count,
            story.updated_at,
            members,
            sources,
        )

    def record(self, article_id: int) -> str:
        """``_news/<slug>.md``: the article's content, its publish flag and slug."""
        info = self.snapshot.index[article_id]
        return _key(self.code, info.revision, info.published, self.snapshot.slugs[article_id])

    def images(self, article_id: int) -> str:
        """The article's cached image files."""
        return _key(self.code, self.snapshot.index[article_id].revision)

    def of(self, kind: str, ident: int) -> str:
        """The key of the unit ``kind`` (rec, page, img, story) of article or story ``ident``."""
        if kind == "rec":
            return self.record(ident)
        if kind == "page":
            return self.page(ident)
        if kind == "img":
            return self.images(ident)
        return self.story_files(ident)

    def page(self, article_id: int) -> str:
        """``news/<slug>/index.html``: the article, its story, what it copies, the pages its
        related items link to."""
        snapshot = self.snapshot
        info = snapshot.index[article_id]
        story = None
        if info.story_id is not None and info.story_id in self.pages:
            shown = snapshot.stories[info.story_id]
            # what an article page shows of its story: its link, title and heat, and whether
            # this article is its original report
            story = (shown.id, shown.title, shown.heat, shown.original_id)
        source = self.article(info.copy_of_id) if info.copy_of_id is not None else None
        links = [(pos, target, snapshot.page_path(target)) for pos, target in info.related_targets]
        return _key(self.chrome, self.article(article_id), story, source, links)

    def story_files(self, story_id: int) -> str:
        """``stories/<id>/index.html`` and ``api/stories/<id>/index.json``."""
        return _key(self.chrome, self.story(story_id))


def publish_site(
    site: Site,
    store: Store,
    *,
    include_unpublished: bool = False,
    now: datetime | None = None,
    full: bool = False,
    out: Path | None = None,
    on_render: Callable[[int, int], None] | None = None,
    parallel: bool = True,
) -> PublishReport:
    """Render what changed and write ``out/`` (see the module docstring); ``full`` renders
    every unit again whatever the last publish left; ``out`` writes elsewhere than the site's
    ``out/``. ``on_render(done, total)`` is called as units are rendered (a progress bar).
    ``parallel=False`` renders in this process even when there is a lot to render."""
    target = site.out_dir if out is None else out
    with _collector_paused(), publishing(target) as publish:
        return _publish(site, store, publish, include_unpublished, now, full, on_render, parallel)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off for the publish: it allocates hundreds of thousands of
    objects (the index, the manifest) that live until the end, and the collector would scan
    them again and again (a fifth of an incremental publish at 20,000 articles)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _publish(
    site: Site,
    store: Store,
    publish: Publishing,
    include_unpublished: bool,
    now: datetime | None,
    full: bool,
    on_render: Callable[[int, int], None] | None,
    parallel: bool,
) -> PublishReport:
    started = time.perf_counter()
    target = publish.out
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    snapshot = site_snapshot(
        site, store, include_unpublished=include_unpublished, now=moment, histories=False
    )
    steps = {"snapshot": time.perf_counter() - started}
    previous = {} if full else publish.unit_keys()
    shown, logos = site_images(snapshot, site.images_dir)
    pages = stories_with_pages(snapshot)
    keys = UnitKeys(snapshot, shown.providers, pages)
    wanted = [
        *(
            (f"{kind}:{article_id}", kind, article_id)
            for article_id in snapshot.articles
            for kind in ("rec", "page")
        ),
        *((f"img:{i}", "img", i) for i in (*snapshot.articles, *snapshot.coverage)),
        *((f"story:{story_id}", "story", story_id) for story_id in pages),
    ]
    stale: list[Unit]
    units: dict[str, tuple[str, Files | None]] = {}
    if previous:
        # the units whose key is the one the last publish left keep their files
        stale = []
        for unit, kind, ident in wanted:
            key = keys.of(kind, ident)
            if previous.get(unit) == key:
                units[unit] = (key, None)
            else:
                stale.append((unit, key, kind, ident))
    else:
        # a first or full publish renders every unit: the keys (for the manifest) are
        # computed by whichever process renders the unit, in parallel
        stale = [(unit, "", kind, ident) for unit, kind, ident in wanted]
    steps["keys"] = time.perf_counter() - started - sum(steps.values())

    sources = [(source.url, source.title) for source in store.list_sources()]
    html = SiteRenderer(shown, sources)
    api = JsonApi(snapshot)
    # the files every publish renders (not units): home and about, each topic's pages, the
    # JSON listings, the feeds and the newsletter, all in one piece of work: they show the
    # same articles, which one process then reads once
    shared: list[Callable[[], Mapping[str, Output]]] = [
        html.home_files,
        *(functools.partial(html.topic_pages, topic) for topic in shown.topics),
        api.shared_files,
        functools.partial(render_feeds, snapshot),
        functools.partial(render_newsletter, snapshot, moment.date()),
    ]
    # a first publish: the files go straight where out/ is built
    job = _RenderJob(
        snapshot, shown, html, api, keys, store, site.images_dir, shared, publish.fresh_tree()
    )
    parts = [
        [("", "", "shared", number) for number in range(len(shared))],
        *_parts(stale, snapshot),
    ]
    workers = _workers(len(stale)) if parallel else 1
    done = 0
    files: Files = dict(logos)
    loaded = 0
    with _rendering(job, store, parts, workers) as results:
        for rendered, read in results:
            loaded += read
            for unit, key, outputs in rendered:
                if unit:
                    units[unit] = (key, outputs)
                    done += 1
                else:
                    files.update(outputs)
            if on_render is not None:
                on_render(done, len(stale))
    steps["render"] = time.perf_counter() - started - sum(steps.values())
    report = PublishReport(
        out=target,
        articles=len(snapshot.articles),
        stories=len(pages),
        topics=len(snapshot.topics),
        images=sum(1 for _unit, kind, _ident in wanted if kind == "img"),
        rendered=len(stale),
        kept=len(wanted) - len(stale),
        workers=workers if len(parts) > 1 else 1,
    )
    # (read by whichever process rendered: the same article may count once per worker)
    report.loaded = loaded
    step("publish.rendered")  # (a first publish's files are in its tree, out/ untouched)
    report.write = publish.write(files, units=units, keep=KEEP)
    steps["write"] = time.perf_counter() - started - sum(steps.values())
    report.steps = steps
    report.seconds = time.perf_counter() - started
    return report


#: units rendered in one piece of work (a batch of articles read together)
PART_SIZE = 600
#: below this many units to render, one process does it (forking costs more than it saves)
PARALLEL_MIN = 3000

Unit = tuple[str, str, str, int]  # unit id, key, kind, id
#: a piece of work done: each unit's ``(unit id, key, files)`` ("" for shared files), and how
#: many articles it read from the store
Rendered = tuple[list[tuple[str, str, Files]], int]


@dataclass
class _RenderJob:
    """What rendering a unit needs: the snapshot (raw and as the site shows it) and the
    renderers. Forked workers inherit it."""

    snapshot: Snapshot
    shown: Snapshot
    html: SiteRenderer
    api: JsonApi
    #: the keys of units given without one (a first or full publish)
    keys: UnitKeys
    #: where the stories' heat histories are read (the part's stories, by the process that
    #: renders them)
    store: Store
    images_dir: Path
    #: what renders the files that are not units (kind "shared", by number)
    shared: Sequence[Callable[[], Mapping[str, Output]]]
    #: where a first publish is built: rendered bytes are written there at once, and only
    #: their hashes travel on (from a worker, much less to send than the pages)
    fresh: Path | None = None
    _made: set[str] = field(default_factory=set)

    def render(self, part: list[Unit]) -> Rendered:
        """Render ``part``: its articles are read in batches first, its stories' histories in
        one query."""
        snapshot = self.snapshot
        before = _loaded(snapshot)
        needed: set[int] = set()
        stories: list[int] = []
        for _unit, _key, kind, ident in part:
            if kind == "shared":
                continue  # its listings read their articles as they go
            if kind == "story":
                needed.update(snapshot.stories[ident].article_ids)
                stories.append(ident)
            else:
                needed.add(ident)
                info = snapshot.index.get(ident)
                if info is not None and info.copy_of_id is not None:
                    needed.add(info.copy_of_id)
        snapshot.prefetch(sorted(needed))
        histories = self.store.story_heat_histories(stories) if stories else {}
        done = [
            (
                unit,
                key or (self.keys.of(kind, ident) if unit else ""),
                self.render_one(kind, ident, histories.get(ident, ())),
            )
            for unit, key, kind, ident in part
        ]
        if self.fresh is not None:
            for _unit, _key, files in done:
                for path, data in files.items():
                    if isinstance(data, bytes):
                        files[path] = put_fresh(self.fresh, path, data, self._made)
        return done, _loaded(snapshot) - before

    def render_one(
        self, kind: str, ident: int, history: Sequence[tuple[datetime, int]] = ()
    ) -> Files:
        """The files of one unit (``history``: a story's heat history)."""
        rendered: Files = {}
        if kind == "rec":
            item = self.snapshot.articles[ident]
            rendered[item.record_path] = dump_record(web_links_only(item.article)).encode("utf-8")
        elif kind == "page":
            item = self.shown.articles[ident]
            rendered[f"{item.page_path}index.html"] = self.html.article_page(item)
        elif kind == "img":
            member = self.snapshot.member(ident)
            if member is not None:
                rendered.update(article_images(member, self.images_dir))
        elif kind == "shared":
            rendered.update(self.shared[ident]())
        else:
            story = replace(self.snapshot.stories[ident], history=tuple(history))
            rendered[f"{story.page_path}index.html"] = self.html.story_page(story)
            rendered[story_json_path(story)] = self.api.story_json(story)
        return rendered


def _parts(stale: list[Unit], snapshot: Snapshot) -> list[list[Unit]]:
    """The units to render in pieces of about :data:`PART_SIZE`: a story's units and those of
    its articles together, so that a piece (a worker) reads each article once for its record,
    its page and its story's page."""
    groups: dict[tuple[str, int], list[Unit]] = {}
    for unit in stale:
        kind, ident = unit[2], unit[3]
        if kind == "story":
            group = ("story", ident)
        else:
            info = snapshot.index.get(ident)
            story = info.story_id if info is not None else None
            group = ("story", story) if story is not None else ("article", ident)
        groups.setdefault(group, []).append(unit)
    parts: list[list[Unit]] = []
    current: list[Unit] = []
    for members in groups.values():
        current.extend(members)
        if len(current) >= PART_SIZE:
            parts.append(current)
            current = []
    if current:
        parts.append(current)
    return parts


def _workers(count: int) -> int:
    """Processes to render ``count`` units with: all cores for a large publish (POSIX only).

    The workers are forked: they render templates and read the store over connections of their
    own, and touch no lock another thread of the parent could hold (logging's are reset at
    fork). A caller that cannot fork (a server handling requests on threads) passes
    ``parallel=False`` to :func:`publish_site`."""
    if count < PARALLEL_MIN or not hasattr(os, "fork"):
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


#: the job forked workers render from (set by the parent just before it forks)
_JOB: _RenderJob | None = None


def _render_part(part: list[Unit]) -> Rendered:
    assert _JOB is not None, "a render worker without a job"
    return _JOB.render(part)


@contextmanager
def _rendering(
    job: _RenderJob, store: Store, parts: list[list[Unit]], workers: int
) -> Iterator[Iterator[Rendered]]:
    """Each part rendered, as an iterator: in this process (lazily, as it is read) or, for a
    large publish, by forked workers that start at once (each reads its own articles through
    its own database connections) while the caller renders something else."""
    if workers <= 1 or len(parts) <= 1:
        yield (job.render(part) for part in parts)
        return
    global _JOB
    _JOB = job
    job.html.warm()
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(workers, initializer=store.after_fork) as pool:
            yield pool.imap_unordered(_render_part, parts)
    finally:
        _JOB = None


def _loaded(snapshot: Snapshot) -> int:
    return sum(
        items.loaded
        for items in (snapshot.articles, snapshot.coverage)
        if isinstance(items, LazyArticles)
    )


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
