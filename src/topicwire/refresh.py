"""The fetch flow: sources -> fetch -> parse -> fetch pages -> extract + repair -> images -> store.

``refresh`` reads top to bottom through the stages. Every source, page, image and article is
handled inside its own error boundary: any exception (a parser's bug, recursion, memory, an
overflow) becomes a recorded failure of that one item, with its reason, on the source row and in
its fetch log, and the run goes on with the rest. Articles are written in batches, one
transaction each, unique by canonical URL; a source's new state (validators, next check) is
written in the transaction that stores the last article it led to (``ledger.py``), so a run
killed at any point and run again loses nothing and duplicates nothing. One fetch runs at a time
on a site (``sitelock.py``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from topicwire.cluster.stage import StoryReport, stage_for_site
from topicwire.enrich.stage import Enricher
from topicwire.errors import StoreError, TopicwireError, bug_details
from topicwire.extract import extract_html
from topicwire.extract.webid import strip_tracking
from topicwire.fetch import FetchConfig, Fetcher, FetchRequest, FetchResult, next_check
from topicwire.fetch.body import BodyLimits, gunzip_file
from topicwire.imagecache import CachedImage, cached_file, keep_images, store_image
from topicwire.ledger import Ledger, may_pass
from topicwire.model import Article, Image, Provider, Source
from topicwire.score.heat import UNCLUSTERED
from topicwire.secured import SecuredPayload, seal
from topicwire.site import Site, topic_thresholds
from topicwire.sitelock import site_lock
from topicwire.sources import FeedEntry, Sitemap, detect_kind, parse_feed, parse_sitemap
from topicwire.steps import step
from topicwire.store import FetchRecord, Store, UpsertResult
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
    #: unexpected exceptions (bugs, not bad input): what failed, and the traceback's text
    bugs: list[tuple[str, str]] = field(default_factory=list)

    def bug(self, what: str, exc: BaseException) -> str:
        """Record an unexpected exception raised while handling ``what``; its reason in words."""
        reason, trace = bug_details(exc)
        self.bugs.append((what, trace))
        log.warning("%s: %s", what, reason)
        return reason


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
    """Fetch every due source (all of them with ``force``) and store the articles found.

    Raises ``SiteBusyError`` when another fetch is running on the site, and ``StoreError`` when
    the database itself fails; anything wrong with one source, page or article is a failure in
    the report (and on the source), never an exception.
    """
    now = now or datetime.now(UTC)
    with site_lock(site.cache_dir, "fetch"):
        sources = [s for s in store.list_sources() if force or _due(s, now)]
        enricher = make_enricher(site, store.list_providers())
        report = asyncio.run(
            _refresh(site, store, sources, enricher, force=force, on_progress=on_progress)
        )
        step("fetch.articles-stored")
        if on_progress:
            on_progress("stories", 0, 1)
        _run_stories(site, store, enricher, report, now)
        step("fetch.stories-saved")
        if on_progress:
            on_progress("stories", 1, 1)
    return report


def _run_stories(
    site: Site, store: Store, enricher: Enricher, report: RefreshReport, now: datetime
) -> None:
    """The stories stage over what was stored. Its failure loses nothing: the articles are
    stored already and stay unclustered, so the next run places them."""
    try:
        stage = stage_for_site(site, store, embedder=enricher.loaded_embedder)
        # articles fetched again come back without their stories-stage fields (heat, related,
        # originality, the rule's decision): their stories are brought up to date as well
        touched = {m.story_id for m in store.story_members(ids=report.stored_ids) if m.story_id}
        report.stories = stage.run(now, touch=sorted(touched))
    except StoreError as exc:
        report.failures.append(("stories", f"the stories stage could not be saved: {exc}"))
    except Exception as exc:  # a bug in the stage must not undo the fetch
        reason = report.bug("the stories stage", exc)
        report.failures.append(("stories", f"the stories stage failed: {reason}"))


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
    ledger = Ledger()
    config = site.fetch_config()
    providers = {p.domain: p for p in store.list_providers() if p.domain}
    async with Fetcher(config) as fetcher:
        # 1. the sources themselves (their new state held until their pages are dealt with)
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
            read = _read_source(source, result, report, config, ledger)
            targets.extend(read.targets)
            children.extend((source, url) for url in read.sitemaps)
            if read.is_page:
                direct.append((source, result))
            step("fetch.source-read")
        # 1b. the sitemaps a sitemap index lists (one level, bounded)
        targets.extend(await _child_sitemaps(fetcher, children, report, ledger))
        # 2. the article pages they list (each once; known ones skipped unless forced)
        limit = int(site.settings.get("fetch.max_pages_per_source"))
        targets = _new_targets(store, targets, report, force=force, limit=limit)
        for target in targets:
            ledger.expect(target.source.url, 1)
        for source, _ in direct:
            ledger.expect(source.url, 1)
        ledger.settle_idle()
        page_requests = [FetchRequest(t.url) for t in targets]
        pages = await fetcher.fetch_many(
            page_requests, on_result=_ticker(on_progress, "pages", page_requests)
        )
        fetched = [(t.source, t.entry, r, False) for t, r in zip(targets, pages, strict=True)]
        fetched += [(source, None, result, True) for source, result in direct]
        # 3. extract, repair, cache images, store in batches (each with the source states
        #    whose pages are all dealt with)
        batch: list[Article] = []
        for index, (source, entry, result, own) in enumerate(fetched, start=1):
            try:
                article, error = await _article(
                    site, fetcher, source, entry, result, providers, report
                )
            except Exception as exc:  # one page's bug never stops the others
                article, error = None, report.bug(f"page {result.url}", exc)
            if article is None:
                report.articles_failed += 1
                report.failures.append((result.url, error or "failed"))
                if own:
                    _own_page_failed(source, result, error or "failed", config, ledger, report)
            ledger.log(_fetch_record(source, result, error, page=True))
            ledger.done(source.url, retry=article is None and may_pass(result))
            if article is not None:
                batch.append(article)
            step("fetch.page")
            if len(batch) >= BATCH_SIZE:
                _store(store, _enrich(enricher, batch, report), ledger, report)
                batch.clear()
            if on_progress:
                on_progress("articles", index, len(fetched))
        _store(store, _enrich(enricher, batch, report), ledger, report)
        # 4. the logos of the registry's providers, once each, so pages never hotlink them
        try:
            await _cache_logos(site, store, fetcher, report)
        except Exception as exc:  # a logo is never worth a failed run
            report.failures.append(("logos", report.bug("caching the providers' logos", exc)))
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
    #: why nothing could be read from a body that was fetched
    error: str | None = None


def _sitemap_targets(sitemap: Sitemap, source: Source) -> list[_Target]:
    """A sitemap's pages, newest first (pages without a date last), as fetch targets."""
    oldest = datetime.min.replace(tzinfo=UTC)
    urls = sorted(
        sitemap.urls, key=lambda u: u.news_published_at or u.lastmod or oldest, reverse=True
    )
    return [_Target(u.loc, source) for u in urls]


async def _child_sitemaps(
    fetcher: Fetcher, children: list[tuple[Source, str]], report: RefreshReport, ledger: Ledger
) -> list[_Target]:
    """Fetch the sitemaps an index lists; their failures are logged under the index."""
    children = children[:MAX_CHILD_SITEMAPS]
    results = await fetcher.fetch_many([FetchRequest(url) for _, url in children])
    targets: list[_Target] = []
    for (source, url), result in zip(children, results, strict=True):
        error = result.error
        if error is None:
            try:
                body = gunzip_file(result.body, BodyLimits.of(fetcher.config))
                targets.extend(_sitemap_targets(parse_sitemap(body, url), source))
            except TopicwireError as exc:
                error = str(exc)
            except Exception as exc:  # a parser's bug: this sitemap fails, the rest go on
                error = report.bug(f"sitemap {url}", exc)
        ledger.log(_fetch_record(source, result, error, page=True))
        if error is not None:
            report.failures.append((url, error))
            if may_pass(result):
                ledger.retry_later(source.url)
    return targets


def _fetch_record(
    source: Source,
    result: FetchResult,
    error: str | None,
    *,
    page: bool,
    etag: str | None = None,
    last_modified: str | None = None,
    next_check_at: datetime | None = None,
) -> FetchRecord:
    """The log line of one fetch under ``source``; ``page``: made on the source's behalf (an
    article page, a child sitemap), so it leaves the source's own state alone."""
    return FetchRecord(
        source_url=source.url,
        status=result.status,
        error=error,
        bytes=len(result.body or b""),
        started_at=result.fetched_at,
        finished_at=result.fetched_at,
        url=result.url if page else result.final_url,
        etag=etag,
        last_modified=last_modified,
        next_check_at=next_check_at,
        update_source=not page,
    )


def _read_source(
    source: Source,
    result: FetchResult,
    report: RefreshReport,
    config: FetchConfig,
    ledger: Ledger,
) -> _SourceRead:
    """Read the source's body; hold its new state in ``ledger``; return what it lists."""
    error = result.error
    read = _SourceRead()
    ttl: int | None = None
    if error is None and not result.not_modified:
        try:
            ttl = _parse_source(source, result, read, BodyLimits.of(config))
        except TopicwireError as exc:
            error = str(exc)
        except Exception as exc:  # a parser's bug: this source fails, the others go on
            error = f"could not be read: {report.bug(f'source {source.url}', exc)}"
        if error is None and read.error is not None:
            error = read.error
    if error is not None:
        read = _SourceRead()  # a source that failed lists nothing
    failed = error is not None
    when = next_check(result, source.error_count + 1 if failed else 0, config, ttl_minutes=ttl)
    ledger.hold(
        _fetch_record(
            source,
            result,
            error,
            page=False,
            # Validators are kept only for content that could be read: otherwise the next run
            # would get a 304 for the broken body and take the source for healthy ("" clears).
            etag="" if failed else result.etag,
            last_modified="" if failed else result.last_modified,
            next_check_at=when,
        )
    )
    if failed:
        report.sources_failed += 1
        report.failures.append((source.url, error or "failed"))
    elif result.not_modified:
        report.sources_not_modified += 1
    else:
        report.sources_ok += 1
    return read


def _parse_source(
    source: Source, result: FetchResult, read: _SourceRead, limits: BodyLimits
) -> int | None:
    """Fill ``read`` from the source's body; the feed's TTL in minutes, if it gives one.

    A body that is a gzip file (``sitemap.xml.gz``) is inflated once, here, under the fetch's
    own caps: a bomb in it is refused as one on the wire is, with the reason.
    """
    body = gunzip_file(result.body, limits)
    kind = detect_kind(body, result.content_type, result.final_url)
    if kind in ("feed", "jsonfeed"):
        feed = parse_feed(body, result.final_url, content_type=result.content_type)
        read.targets = [_Target(e.url, source, e) for e in feed.entries if e.url]
        if not feed.entries and feed.warnings:
            read.error = f"broken feed, nothing could be read: {feed.warnings[0]}"
        return feed.ttl_minutes
    if kind in ("sitemap", "sitemapindex"):
        sitemap = parse_sitemap(body, result.final_url)
        read.targets = _sitemap_targets(sitemap, source)
        read.sitemaps = list(sitemap.sitemaps)
    elif kind == "html":
        read.is_page = True
    else:
        read.error = f"not a feed, a sitemap or a page (it looks like {kind})"
    return None


def _own_page_failed(
    source: Source,
    result: FetchResult,
    error: str,
    config: FetchConfig,
    ledger: Ledger,
    report: RefreshReport,
) -> None:
    """A source that is one article page whose page could not be read has failed, like a feed
    that could not be: its held state becomes that failure (reason, error count, backoff)."""
    when = next_check(result, source.error_count + 1, config)
    ledger.hold(
        _fetch_record(
            source, result, error, page=False, etag="", last_modified="", next_check_at=when
        )
    )
    report.sources_ok -= 1
    report.sources_failed += 1


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
    fetcher: Fetcher,
    source: Source,
    entry: FeedEntry | None,
    result: FetchResult,
    providers: dict[str, Provider],
    report: RefreshReport,
) -> tuple[Article | None, str | None]:
    """The stored form of one fetched page, or ``None`` and the reason."""
    if result.error is not None:
        return None, result.error
    if not result.text:
        return None, "the page is empty"
    try:
        extracted = extract_html(result.text, result.final_url, providers=providers)
        if not extracted.text.strip():
            return None, "no article text found on the page"
        if not extracted.title and entry is not None and entry.title:
            extracted.title = entry.title  # the feed names the page that does not name itself
        article = _with_feed_hints(extracted.to_article(), entry, original_url=result.url)
    except TopicwireError as exc:  # e.g. no title anywhere: an article record needs one
        return None, str(exc)
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
    return article, None


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
    min_size = int(settings.get("images.min_size"))
    outcomes: list[CachedImage] = []
    for image, fetched in zip(images, results, strict=True):
        try:
            outcomes.append(store_image(image, fetched, site.images_dir, min_size=min_size))
        except Exception as exc:  # one image's bug never costs the article
            reason = report.bug(f"image {image.url}", exc)
            outcomes.append(CachedImage(image=None, error=reason))
            report.images_failed += 1
            report.failures.append((image.url, f"image dropped: {reason}"))
    for outcome in outcomes:
        if outcome.path is not None:
            report.images_cached += 1
        elif outcome.image is not None and outcome.error:
            report.images_failed += 1
            report.failures.append((outcome.image.url, f"image not cached: {outcome.error}"))
    return keep_images(outcomes)


def _enrich(enricher: Enricher, batch: list[Article], report: RefreshReport) -> list[Article]:
    """The batch enriched; if that fails, each article alone, so only the bad one is dropped."""
    if not batch:
        return []
    try:
        return enricher.enrich(list(batch))
    except Exception as exc:
        if len(batch) == 1:
            url = batch[0].url or "?"
            report.articles_failed += 1
            report.failures.append((url, f"not enriched: {report.bug(f'enriching {url}', exc)}"))
            return []
    return [done for article in batch for done in _enrich(enricher, [article], report)]


def _store(store: Store, batch: list[Article], ledger: Ledger, report: RefreshReport) -> None:
    """Store ``batch`` with the fetch records that are due, in one transaction.

    If the database refuses the batch, its articles are stored one by one so that only the one
    it refuses fails (with the reason), then the records are written.
    """
    records = ledger.take()
    for article in batch:
        if article.heat is None:
            article.heat = UNCLUSTERED  # until the stories stage places it
    try:
        _count(store.upsert_articles(batch, fetches=records), report)
    except StoreError:
        if not batch:
            raise  # the fetch log alone failed: the database is in trouble, not an article
        for article in batch:
            try:
                _count(store.upsert_articles([article]), report)
            except StoreError as exc:
                report.articles_failed += 1
                report.failures.append((article.url or "?", f"not stored: {exc}"))
        store.record_fetches(records)
    step("fetch.batch-stored")


def _count(result: UpsertResult, report: RefreshReport) -> None:
    report.stored_ids.extend(result.ids)
    report.articles_new += result.inserted
    report.articles_updated += result.updated
    report.articles_unchanged += result.unchanged
