"""What a publish reads from the store, once: the published articles, their stories, topics and
providers, with the paths every output uses to link to them.

The renderers (records, JSON API, HTML, feeds, newsletter) are pure functions of a
:class:`Snapshot`: each returns ``{relative path under out/: bytes}`` and never touches the
store or the file system, so they can be tested on a hand-made snapshot and the publisher alone
decides what is written (see ``topicwire.publish.writer``).

Paths (relative to ``out/``, "/"-separated, pages end in ``/index.html``):

- record ``_news/YYYY-MM-DD-slug.md``; article page ``news/YYYY-MM-DD-slug/`` (``Snapshot.page``);
- topic page ``topics/<topic-id>/``; story page ``stories/<id>/``; home ``index.html``.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import overload

from topicwire.errors import TopicwireError
from topicwire.model import Article, Provider, Topic, to_utc
from topicwire.publish.export import record_filename, record_name
from topicwire.store import Store
from topicwire.store.reading import ArticleInfo
from topicwire.store.stories import StorySummary

#: sort key for undated articles (they go last in newest-first listings)
_OLDEST = datetime(1970, 1, 1, tzinfo=UTC)
#: articles read from the store per query when a listing or a page needs them
BATCH = 200
#: values the renderers keep formatted (times, checked URLs): an article's appear on every
#: page, listing and feed that shows it; bounded for long-running processes
FORMATS_CACHED = 65536


@functools.lru_cache(maxsize=FORMATS_CACHED)
def utc_stamp(value: datetime) -> str:
    """``2026-11-22T12:00:00Z``: the time in UTC to the second (a naive one is taken as UTC),
    as the JSON API and the pages' ``datetime`` attributes write it."""
    moment = to_utc(value)
    if moment.year < 1000:  # (isoformat pads the year to four digits, strftime may not)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{moment.replace(tzinfo=None).isoformat(timespec='seconds')}Z"


@dataclass(frozen=True)
class PublishedArticle:
    """One article as published: its row id, the article, its story and its paths."""

    id: int
    article: Article
    story_id: int | None
    #: ``YYYY-MM-DD-slug`` (unique within the snapshot)
    slug: str
    #: a syndicated copy of this article id (copies are coverage, not published on their own)
    copy_of_id: int | None = None

    @property
    def record_path(self) -> str:
        """``_news/<slug>.md``."""
        return f"_news/{self.slug}.md"

    @property
    def page_path(self) -> str:
        """``news/<slug>/`` (the article's page on the site; its file is ``index.html``)."""
        return f"news/{self.slug}/"

    @property
    def when(self) -> datetime:
        """Its publication time (undated: the epoch, so it sorts last when newest-first)."""
        return self.article.published_at or _OLDEST


@dataclass(frozen=True)
class PublishedStory:
    """A story with coverage: every article of it (published or not), the original report
    and its hourly heat history."""

    id: int
    title: str
    heat: int
    original_id: int | None
    #: article ids of the whole coverage, oldest first
    article_ids: tuple[int, ...]
    history: tuple[tuple[datetime, int], ...]
    first_published_at: datetime | None
    last_published_at: datetime | None
    provider_count: int
    #: when the stories stage last wrote it (its history included); ``None`` when hand-made
    updated_at: datetime | None = None

    @property
    def page_path(self) -> str:
        """``stories/<id>/``."""
        return f"stories/{self.id}/"


class SnapshotChanged(TopicwireError):
    """An article the snapshot listed was deleted before the publish read it (nothing is
    written; the next publish sees the store as it is)."""


class LazyArticles(Mapping[int, PublishedArticle]):
    """A fixed set of article ids whose articles are read from the store when first needed.

    Membership, length and iteration over ids cost nothing; an article is loaded by
    ``load(ids)`` on first access, a batch at a time (:meth:`prefetch`, slices of
    :class:`Listing`), then kept. A publish that renders only what changed reads only the
    articles it shows.
    """

    def __init__(
        self,
        ids: Iterable[int],
        load: Callable[[Sequence[int]], Mapping[int, PublishedArticle]],
    ) -> None:
        self._ids = frozenset(ids)
        self._load = load
        self._loaded: dict[int, PublishedArticle] = {}

    def __contains__(self, key: object) -> bool:
        return key in self._ids

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[int]:
        return iter(sorted(self._ids))

    def __getitem__(self, key: int) -> PublishedArticle:
        found = self._loaded.get(key)
        if found is None:
            if key not in self._ids:
                raise KeyError(key)
            self.prefetch([key])
            found = self._loaded[key]
        return found

    def prefetch(self, ids: Iterable[int]) -> None:
        """Load, in batches, the articles among ``ids`` not loaded yet."""
        missing = sorted({i for i in ids if i in self._ids and i not in self._loaded})
        for start in range(0, len(missing), BATCH):
            part = missing[start : start + BATCH]
            got = self._load(part)
            lost = [i for i in part if i not in got]
            if lost:
                raise SnapshotChanged(
                    f"articles {lost} were deleted from the store during the publish; publish again"
                )
            self._loaded.update(got)

    def values(self) -> Iterator[PublishedArticle]:  # type: ignore[override]
        """Every article, in id order (loaded a batch at a time)."""
        ids = sorted(self._ids)
        for start in range(0, len(ids), BATCH):
            part = ids[start : start + BATCH]
            self.prefetch(part)
            yield from (self._loaded[i] for i in part)

    def view(self, change: Callable[[PublishedArticle], PublishedArticle]) -> LazyArticles:
        """The same articles, each passed through ``change`` (loaded through this mapping)."""

        def load(ids: Sequence[int]) -> dict[int, PublishedArticle]:
            self.prefetch(ids)
            return {i: change(self._loaded[i]) for i in ids}

        return LazyArticles(self._ids, load)

    @property
    def loaded(self) -> int:
        """How many articles have been read so far."""
        return len(self._loaded)


def prefetch(articles: Mapping[int, PublishedArticle], ids: Iterable[int]) -> None:
    """Load ``ids`` in batches when ``articles`` is lazy (a plain dict holds them already)."""
    if isinstance(articles, LazyArticles):
        articles.prefetch(ids)


class Listing(Sequence[PublishedArticle]):
    """Articles in a given order (ids), loaded only as they are read: a slice loads its
    articles in one batch, iteration a batch at a time."""

    def __init__(self, ids: Sequence[int], articles: Mapping[int, PublishedArticle]) -> None:
        self.ids = tuple(ids)
        self._articles = articles

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> PublishedArticle: ...

    @overload
    def __getitem__(self, index: slice) -> list[PublishedArticle]: ...

    def __getitem__(self, index: int | slice) -> PublishedArticle | list[PublishedArticle]:
        if isinstance(index, slice):
            ids = self.ids[index]
            prefetch(self._articles, ids)
            return [self._articles[i] for i in ids]
        return self._articles[self.ids[index]]

    def __iter__(self) -> Iterator[PublishedArticle]:
        for start in range(0, len(self.ids), BATCH):
            yield from self[start : start + BATCH]


@dataclass(frozen=True)
class Snapshot:
    """Everything one publish renders (see the module docstring)."""

    title: str
    #: the site's public URL without a trailing slash ("" when unknown: links stay relative)
    base_url: str
    locale: str
    generated_at: datetime
    #: every article the snapshot holds, by id: the published ones, and with ``--all`` the rest
    #: (a plain dict, or :class:`LazyArticles` when read from the store)
    articles: Mapping[int, PublishedArticle]
    stories: dict[int, PublishedStory]
    topics: tuple[Topic, ...]
    providers: dict[str, Provider] = field(default_factory=dict)
    #: story members that are not in ``articles`` (copies, unpublished reports): shown in their
    #: story's coverage, linking to the outlet, never given a page or record of their own
    coverage: Mapping[int, PublishedArticle] = field(default_factory=dict)
    #: minimum heat of the "hot" listings
    minimum_heat: int = 0
    page_size: int = 20
    max_pages: int = 9
    #: what is known of every article of ``articles`` and ``coverage`` without loading it
    #: (derived from them when not given)
    index: Mapping[int, ArticleInfo] = field(default_factory=dict)
    #: the slug of every article of ``articles`` and ``coverage`` (derived when not given)
    slugs: Mapping[int, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # a hand-made snapshot (plain dicts, or a copy with other articles) gets its index
        # derived from its articles; one read from the store comes with its own
        if not isinstance(self.articles, LazyArticles):
            items = [*self.articles.values(), *self.coverage.values()]
            object.__setattr__(self, "index", derive_index(items))
            object.__setattr__(self, "slugs", {a.id: a.slug for a in items})

    def same_articles(
        self,
        *,
        base_url: str,
        articles: Mapping[int, PublishedArticle],
        coverage: Mapping[int, PublishedArticle],
        providers: dict[str, Provider],
    ) -> Snapshot:
        """A copy with another ``base_url`` and ``providers``, and ``articles`` and
        ``coverage`` as views of this snapshot's own (:meth:`LazyArticles.view`): the same
        articles, only shown otherwise. A snapshot read from the store shares the orders its
        listings were put in, not worked out again (a tenth of a second at 20,000)."""
        copy = replace(
            self, base_url=base_url, articles=articles, coverage=coverage, providers=providers
        )
        if isinstance(self.articles, LazyArticles):  # (a hand-made one derives them anew)
            for name in ("_published_ids", "_by_topic"):
                copy.__dict__[name] = getattr(self, name)
        return copy

    def page_path(self, article_id: int) -> str | None:
        """``news/<slug>/`` of one of the snapshot's articles, ``None`` for coverage-only ones
        and strangers (without loading the article)."""
        if article_id not in self.articles:
            return None
        return f"news/{self.slugs[article_id]}/"

    @functools.cached_property
    def _published_ids(self) -> tuple[int, ...]:
        index = self.index
        live = [i for i in self.articles if index[i].published]
        live.sort(key=lambda i: (index[i].published_at or _OLDEST, i), reverse=True)
        return tuple(live)

    def published(self) -> Listing:
        """Published articles, newest first (ties by id, highest first)."""
        return Listing(self._published_ids, self.articles)

    @functools.cached_property
    def _by_topic(self) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        index = self.index
        for article_id in self._published_ids:  # newest first, so each list is too
            for name in index[article_id].topics:
                found.setdefault(name, []).append(article_id)
        return found

    def in_topic(self, topic: Topic) -> Listing:
        """Published articles carrying ``topic`` (by name), newest first."""
        return Listing(self._by_topic.get(topic.name, ()), self.articles)

    def is_published(self, article_id: int) -> bool:
        """Whether ``article_id`` is one of the snapshot's published articles."""
        return article_id in self.articles and self.index[article_id].published

    def hot_stories(self, limit: int | None = None) -> list[PublishedStory]:
        """Stories with at least one published article, hottest first."""
        live = [
            s for s in self.stories.values() if any(self.is_published(i) for i in s.article_ids)
        ]
        live.sort(key=lambda s: (s.heat, s.last_published_at or _OLDEST, s.id), reverse=True)
        return live if limit is None else live[:limit]

    def member(self, article_id: int) -> PublishedArticle | None:
        """A story member: a published article, else a coverage-only one, else ``None``."""
        if article_id in self.articles:
            return self.articles[article_id]
        if article_id in self.coverage:
            return self.coverage[article_id]
        return None

    def prefetch(self, ids: Iterable[int]) -> None:
        """Load the articles among ``ids`` (of ``articles`` or ``coverage``) in batches."""
        wanted = list(ids)
        prefetch(self.articles, wanted)
        prefetch(self.coverage, wanted)

    def url(self, path: str) -> str:
        """An absolute URL for an ``out/``-relative path (relative when ``base_url`` is "")."""
        return f"{self.base_url}/{path}" if self.base_url else f"/{path}"


def derive_index(items: Iterable[PublishedArticle]) -> dict[int, ArticleInfo]:
    """The :class:`ArticleInfo` of hand-made articles (tests, tools): related items name an
    article when its ``webUrl`` is theirs (the highest id wins, as the store's newest)."""
    items = sorted(items, key=lambda a: a.id)
    by_url = {a.article.web_url: a.id for a in items if a.article.web_url}
    found = {}
    for item in items:
        article = item.article
        targets = tuple(
            (position, by_url[rel.web_url])
            for position, rel in enumerate(article.related)
            if rel.web_url in by_url
        )
        found[item.id] = ArticleInfo(
            id=item.id,
            revision=hashlib.sha256(
                repr(article).encode("utf-8", "surrogatepass"), usedforsecurity=False
            ).hexdigest(),
            title=article.title,
            published_at=article.published_at,
            stored_at=article.published_at or _OLDEST,
            published=bool(article.published),
            story_id=item.story_id,
            copy_of_id=item.copy_of_id,
            heat=article.heat,
            domain=article.provider.domain if article.provider else None,
            topics=tuple(article.topics),
            related_targets=targets,
        )
    return found


def slugs_for(articles: Sequence[tuple[int, Article]]) -> dict[int, str]:
    """``YYYY-MM-DD-slug`` per article id, unique (``-2``, ``-3``... by id order)."""
    taken: set[str] = set()
    return {
        article_id: record_filename(article, taken).removesuffix(".md")
        for article_id, article in sorted(articles, key=lambda pair: pair[0])
    }


def slug_of(info: ArticleInfo, taken: set[str]) -> str:
    """``YYYY-MM-DD-slug`` of an indexed article (``taken`` as in :func:`slugs_for`)."""
    return record_name(info.title, info.published_at, taken).removesuffix(".md")


def load_snapshot(
    store: Store,
    *,
    title: str,
    base_url: str = "",
    locale: str = "en-US",
    topics: Iterable[Topic] = (),
    include_unpublished: bool = False,
    minimum_heat: int = 0,
    page_size: int = 20,
    max_pages: int = 9,
    now: datetime | None = None,
    histories: bool = True,
) -> Snapshot:
    """Read a snapshot from the store (every article with ``include_unpublished``).

    Only the article index (:meth:`Store.article_index`) and the story rows are read here;
    articles are read when a renderer first needs them. ``histories=False`` leaves the
    stories' heat histories empty (a publish reads those it renders, a part at a time)."""
    index = store.article_index()
    shown = {i for i, info in index.items() if include_unpublished or info.published}
    taken: set[str] = set()
    slugs = {i: slug_of(index[i], taken) for i in sorted(shown)}
    story_ids = sorted({s for i in shown if (s := index[i].story_id) is not None})
    members: dict[int, list[ArticleInfo]] = {}
    for info in index.values():
        if info.story_id is not None:
            members.setdefault(info.story_id, []).append(info)
    summaries = store.get_stories(story_ids)
    history = store.story_heat_histories(story_ids) if histories else {}
    stories = {
        story_id: _story(
            summary,
            sorted(members.get(story_id, []), key=lambda m: (m.time, m.id)),
            history.get(story_id, []),
        )
        for story_id, summary in summaries.items()
    }
    outside = sorted(
        {m.id for story_id in stories for m in members.get(story_id, []) if m.id not in shown}
    )
    taken = set()
    outside_slugs = {i: slug_of(index[i], taken) for i in outside}
    all_slugs = slugs | outside_slugs

    def load(ids: Sequence[int]) -> dict[int, PublishedArticle]:
        return {
            i: PublishedArticle(i, s.article, s.story_id, all_slugs[i], index[i].copy_of_id)
            for i, s in store.get_articles(ids, lean=True).items()
        }

    return Snapshot(
        title=title,
        base_url=base_url.rstrip("/"),
        locale=locale,
        generated_at=(now or datetime.now(UTC)).astimezone(UTC),
        articles=LazyArticles(shown, load),
        stories=stories,
        topics=tuple(topics),
        providers={p.domain: p for p in store.list_providers() if p.domain},
        coverage=LazyArticles(outside, load),
        minimum_heat=minimum_heat,
        page_size=page_size,
        max_pages=max_pages,
        index={i: index[i] for i in (*shown, *outside)},
        slugs=all_slugs,
    )


def _story(
    summary: StorySummary,
    members: Sequence[ArticleInfo],
    history: Sequence[tuple[datetime, int]],
) -> PublishedStory:
    return PublishedStory(
        id=summary.id,
        title=summary.title,
        heat=summary.heat,
        original_id=summary.original_article_id,
        article_ids=tuple(m.id for m in members),
        history=tuple(history),
        first_published_at=summary.first_published_at,
        last_published_at=summary.last_published_at,
        provider_count=summary.provider_count,
        updated_at=summary.updated_at,
    )
