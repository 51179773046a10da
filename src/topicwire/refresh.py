"""The fetch flow: sources -> fetch -> parse -> fetch pages -> extract + repair -> images -> store.

``refresh`` reads top to bottom through the stages. Every failure (a source, a page, an image) is
recorded with its reason — on the source row and in its fetch log — and the run goes on. Articles
are written in batches, one transaction each, unique by canonical URL, so a run killed at any
point and run again loses nothing and duplicates nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from topicwire.cluster.stage import StoryReport, stage_for_site
from topicwire.enrich.stage import Enricher
from topicwire.errors import TopicwireError
from topicwire.extract import Extracted, extract_html
from topicwire.extract.webid import strip_tracking
from topicwire.fetch import FetchConfig, Fetcher, FetchRequest, FetchResult, next_check
from topicwire.imagecache import cached_file, keep_images, store_image
from topicwire.model import Article, Image, Provider, Source
from topicwire.score.heat import UNCLUSTERED
from topicwire.secured import SecuredPayload, seal
from topicwire.site import Site, topic_thresholds
from topicwire.sources import FeedEntry, Sitemap, detect_kind, parse_feed, parse_sitemap
from topicwire.store import Store
from topicwire.urls import canonical_key

log = logging.getLogger(__name__)

#: Progress callback: (stage, done, total).
Progress = Callable[[str, int, int], None]
BATCH_SIZE = 100
MAX_IMAGES_PER_ARTICLE = 4
MAX_CHILD_SITEMAPS = 50


@dataclass
class RefreshReport:
    """What a refresh did, in counts, and every failure with its reason."""

    sources_ok: int = 0
    sources_not_modified: int = 0
    sources_failed: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    articles_known: int = 0
    articles_failed: int = 0
    images_cached: int = 0
    images_failed: int = 0
    #: what the stories stage did after the articles were stored
    stories: StoryReport | None = None
    #: row ids of the articles this refresh stored (new, updated or unchanged)
    stored_ids: list[int] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class _Target:
    """An article page to fetch, and where it was found."""

    url: str
    source: Source
    entry: FeedEntry | None = None


def refresh(
    site: Site,
    store: Store,
    *,
    force: bool = False,
    now: datetime | None = None,
    on_progress: Progress | None = None,
) -> RefreshReport:
    """Fetch every due source (all of them with ``force``) and store the articles found."""
    now = now or datetime.now(UTC)
    sources = [s for s in store.list_sources() if force or _due(s, now)]
    enricher = make_enricher(site, store.list_providers())
    report = asyncio.run(
        _refresh(site, store, sources, enricher, force=force, on_progress=on_progress)
    )
    if on_progress:
        on_progress("stories", 0, 1)
    stage = stage_for_site(site, store, embedder=enricher.loaded_embedder)
    # articles fetched again come back without their stories-stage fields (heat, related,
    # originality, the rule's decision): their stories are brought up to date as well
    touched = {m.story_id for m in store.story_members(ids=report.stored_ids) if m.story_id}
    report.stories = stage.run(now, touch=sorted(touched))
    if on_progress:
        on_progress("stories", 1, 1)
    return report


def _due(source: Source, now: datetime) -> bool:
    return source.next_check_at is None or source.next_check_at <= now


async def _refresh(
    site: Site,
    store: Store,
    sources: Sequence[Source],
    enricher: Enricher,
    *,
    force: bool,
    on_progress: Progress | None,
) -> RefreshReport:
    report = RefreshReport()
    config = site.fetch_config()
    providers = {p.domain: p for p in store.list_providers() if p.domain}
    async with Fetcher(config) as fetcher:
        # 1. the sources themselves
        requests = [
            FetchRequest(s.url, etag=s.etag or None, last_modified=s.last_modified or None)
            for s in sources
        ]
        results = await fetcher.fetch_many(
            requests, on_result=_ticker(on_progress, "sources", requests)
        )
        targets: list[_Target] = []
        direct: list[tuple[Source, FetchResult]] = []
        children: list[tuple[Source, str]] = []
        for source, result in zip(sources, results, strict=True):
            read = _read_source(store, source, result, report, config)
            targets.extend(read.targets)
            children.extend((source, url) for url in read.sitemaps)
            if read.is_page:
                direct.append((source, result))
        # 1b. the sitemaps a sitemap index lists (one level, bounded)
        targets.extend(await _child_sitemaps(store, fetcher, children, report))
        # 2. the article pages they list (each once; known ones skipped unless forced)
        limit = int(site.settings.get("fetch.max_pages_per_source"))
        targets = _new_targets(store, targets, report, force=force, limit=limit)
        page_requests = [FetchRequest(t.url) for t in targets]
        pages = await fetcher.fetch_many(
            page_requests, on_result=_ticker(on_progress, "pages", page_requests)
        )
        fetched = [(t.source, t.entry, r) for t, r in zip(targets, pages, strict=True)]
        fetched += [(source, None, result) for source, result in direct]
        # 3. extract, repair, cache images, store in batches
        batch: list[Article] = []
        for index, (source, entry, result) in enumerate(fetched, start=1):
            article = await _article(site, store, fetcher, source, entry, result, providers, report)
            if article is not None:
                batch.append(article)
            if len(batch) >= BATCH_SIZE:
                _store(store, enricher.enrich(batch), report)
                batch.clear()
            if on_progress:
                on_progress("articles", index, len(fetched))
        _store(store, enricher.enrich(batch), report)
        # 4. the logos of the registry's providers, once each, so pages never hotlink them
        await _cache_logos(site, store, fetcher, report)
    return report


#: logos are small: this is the smallest side kept (an icon of 16 px still identifies an outlet)
LOGO_MIN_SIZE = 16


async def _cache_logos(site: Site, store: Store, fetcher: Fetcher, report: RefreshReport) -> None:
    """Download each registry provider's first image (its logo) into the image cache, once."""
    if not site.settings.get("images.cache"):
        return
    waiting = [
        p
        for p in store.list_providers()
        if p.images and not (p.images[0].is_cached and cached_file(p.images[0], site.images_dir))
    ]
    if not waiting:
        return
    results = await fetcher.fetch_many([FetchRequest(p.images[0].url) for p in waiting])
    updated = []
    for provider, fetched in zip(waiting, results, strict=True):
        outcome = store_image(provider.images[0], fetched, site.images_dir, min_size=LOGO_MIN_SIZE)
        if outcome.path is not None and outcome.image is not None:
            report.images_cached += 1
            images = [outcome.image, *provider.images[1:]]
            updated.append(provider.model_copy(update={"images": images}))
        else:
            report.images_failed += 1
            reason = outcome.error or "too small"
            report.failures.append((provider.images[0].url, f"logo not cached: {reason}"))
    if updated:
        store.upsert_providers(updated)


def make_enricher(site: Site, providers: Sequence[Provider]) -> Enricher:
    """The enrich stage configured for ``site``: its taxonomy, locale, thresholds, weights."""
    return Enricher(
        site.topics(),
        site_locale=str(site.settings.get("site.locale")),
        thresholds=topic_thresholds(site.settings),
        providers=providers,
    )


def _ticker(
    on_progress: Progress | None, stage: str, items: Sequence[object]
) -> Callable[[FetchResult], None] | None:
    if on_progress is None:
        return None
    done = [0]

    def tick(_: FetchResult) -> None:
        done[0] += 1
        on_progress(stage, done[0], len(items))

    return tick


@dataclass
class _SourceRead:
    """What one source gave: pages to fetch, child sitemaps, or itself as an article page."""

    targets: list[_Target] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    is_page: bool = False


def _sitemap_targets(sitemap: Sitemap, source: Source) -> list[_Target]:
    """A sitemap's pages, newest first (pages without a date last), as fetch targets."""
    oldest = datetime.min.replace(tzinfo=UTC)
    urls = sorted(
        sitemap.urls, key=lambda u: u.news_published_at or u.lastmod or oldest, reverse=True
    )
    return [_Target(u.loc, source) for u in urls]


async def _child_sitemaps(
    store: Store, fetcher: Fetcher, children: list[tuple[Source, str]], report: RefreshReport
) -> list[_Target]:
    """Fetch the sitemaps an index lists; their failures are logged under the index."""
    children = children[:MAX_CHILD_SITEMAPS]
    results = await fetcher.fetch_many([FetchRequest(url) for _, url in children])
    targets: list[_Target] = []
    for (source, url), result in zip(children, results, strict=True):
        error = result.error
        if error is None:
            try:
                targets.extend(_sitemap_targets(parse_sitemap(result.body, url), source))
            except TopicwireError as exc:
                error = str(exc)
        _log_page(store, source, result, error)
        if error is not None:
            report.failures.append((url, error))
    return targets


def _record(
    store: Store,
    source: Source,
    result: FetchResult,
    error: str | None,
    *,
    url: str,
    update_source: bool,
    etag: str | None = None,
    last_modified: str | None = None,
    next_check_at: datetime | None = None,
) -> None:
    """Log one fetch under ``source``; ``update_source`` says if it is the source's own."""
    store.record_fetch(
        source.url,
        status=result.status,
        error=error,
        bytes=len(result.body or b""),
        started_at=result.fetched_at,
        finished_at=result.fetched_at,
        url=url,
        etag=etag,
        last_modified=last_modified,
        next_check_at=next_check_at,
        update_source=update_source,
    )


def _log_page(store: Store, source: Source, result: FetchResult, error: str | None) -> None:
    """Log a fetch made on behalf of ``source`` without touching the source's own state."""
    _record(store, source, result, error, url=result.url, update_source=False)


def _read_source(
    store: Store, source: Source, result: FetchResult, report: RefreshReport, config: FetchConfig
) -> _SourceRead:
    """Record the source's fetch; return what it lists (or that it is an article page)."""
    previous_errors = source.error_count
    error = result.error
    read = _SourceRead()
    ttl: int | None = None
    if error is None and not result.not_modified:
        try:
            kind = detect_kind(result.body, result.content_type, result.final_url)
            if kind in ("feed", "jsonfeed"):
                feed = parse_feed(result.body, result.final_url, content_type=result.content_type)
                ttl = feed.ttl_minutes
                read.targets = [_Target(e.url, source, e) for e in feed.entries if e.url]
                if not feed.entries and feed.warnings:
                    error = f"broken feed, nothing could be read: {feed.warnings[0]}"
            elif kind in ("sitemap", "sitemapindex"):
                sitemap = parse_sitemap(result.body, result.final_url)
                read.targets = _sitemap_targets(sitemap, source)
                read.sitemaps = list(sitemap.sitemaps)
            elif kind == "html":
                read.is_page = True
            else:
                error = f"not a feed, a sitemap or a page (it looks like {kind})"
        except TopicwireError as exc:
            error = str(exc)
    failed = error is not None
    when = next_check(
        result,
        previous_errors + 1 if failed else 0,
        config,
        ttl_minutes=ttl,
    )
    _record(
        store,
        source,
        result,
        error,
        url=result.final_url,
        update_source=True,
        # Validators are kept only for content that could be read: otherwise the next run would
        # get a 304 for the broken body and take the source for healthy ("" clears them).
        etag="" if failed else result.etag,
        last_modified="" if failed else result.last_modified,
        next_check_at=when,
    )
    if failed:
        report.sources_failed += 1
        report.failures.append((source.url, error or "failed"))
    elif result.not_modified:
        report.sources_not_modified += 1
    else:
        report.sources_ok += 1
    return read


def _new_targets(
    store: Store, targets: Iterable[_Target], report: RefreshReport, *, force: bool, limit: int
) -> list[_Target]:
    """Each page once (by canonical URL), at most ``limit`` per source, in the order listed.

    Pages already stored are skipped unless ``force``.
    """
    seen: set[str] = set()
    per_source: dict[str, int] = {}
    out: list[_Target] = []
    for target in targets:
        if per_source.get(target.source.url, 0) >= limit:
            continue
        try:
            key = canonical_key(target.url)
        except ValueError:
            report.failures.append((target.url, "not a usable URL"))
            report.articles_failed += 1
            continue
        if key in seen:
            continue
        seen.add(key)
        if not force and store.get_article(target.url) is not None:
            report.articles_known += 1
            continue
        per_source[target.source.url] = per_source.get(target.source.url, 0) + 1
        out.append(target)
    return out


async def _article(
    site: Site,
    store: Store,
    fetcher: Fetcher,
    source: Source,
    entry: FeedEntry | None,
    result: FetchResult,
    providers: dict[str, Provider],
    report: RefreshReport,
) -> Article | None:
    """The stored form of one fetched page, or ``None`` (the reason recorded)."""
    error = result.error
    extracted: Extracted | None = None
    if error is None and not result.text:
        error = "the page is empty"
    if error is None:
        try:
            extracted = extract_html(result.text or "", result.final_url, providers=providers)
        except TopicwireError as exc:
            error = str(exc)
    if extracted is not None and not extracted.text.strip():
        error = "no article text found on the page"
    _log_page(store, source, result, error)
    if error is not None or extracted is None:
        report.articles_failed += 1
        report.failures.append((result.url, error or "failed"))
        return None
    article = _with_feed_hints(extracted.to_article(), entry, original_url=result.url)
    article.body = ""  # the full text stays in ``text`` and ``secured``; never published
    article.images = await _cache_images(site, fetcher, article, report)
    payload = SecuredPayload(
        text=extracted.text,
        original_url=result.url,
        fetch={
            "fetchedAt": result.fetched_at.isoformat(),
            "status": result.status,
            "finalUrl": result.final_url,
            "source": source.url,
            "etag": result.etag,
        },
    )
    article.secured = seal(payload, site.secret_key())
    return article


def _with_feed_hints(article: Article, entry: FeedEntry | None, *, original_url: str) -> Article:
    """Fill what the page did not say from the feed entry (never the other way round).

    ``originalUrl`` is the address the page was found at, less its tracking parameters (the
    address exactly as found is sealed in ``secured``).
    """
    article.original_url = strip_tracking(original_url)
    article.heat = -1
    if entry is None:
        return article
    if article.published_at is None and entry.published_at is not None:
        article.published_at = entry.published_at
    if article.updated_at is None and entry.updated_at is not None:
        article.updated_at = entry.updated_at
    if not article.title and entry.title:
        article.title = entry.title
    return article


async def _cache_images(
    site: Site, fetcher: Fetcher, article: Article, report: RefreshReport
) -> list[Image]:
    settings = site.settings
    images = article.images[:MAX_IMAGES_PER_ARTICLE]
    if not images or not settings.get("images.cache"):
        return images
    results = await fetcher.fetch_many([FetchRequest(image.url) for image in images])
    outcomes = [
        store_image(image, fetched, site.images_dir, min_size=settings.get("images.min_size"))
        for image, fetched in zip(images, results, strict=True)
    ]
    for outcome in outcomes:
        if outcome.path is not None:
            report.images_cached += 1
        elif outcome.image is not None and outcome.error:
            report.images_failed += 1
            report.failures.append((outcome.image.url, f"image not cached: {outcome.error}"))
    return keep_images(outcomes)


def _store(store: Store, batch: list[Article], report: RefreshReport) -> None:
    if not batch:
        return
    for article in batch:
        if article.heat is None:
            article.heat = UNCLUSTERED  # until the stories stage places it
    result = store.upsert_articles(batch)
    report.stored_ids.extend(result.ids)
    report.articles_new += result.inserted
    report.articles_updated += result.updated
    report.articles_unchanged += result.unchanged
