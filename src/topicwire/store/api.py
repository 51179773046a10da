"""``Store``: the one object the rest of topicwire uses to reach the database.

Each method runs in its own transaction (a batch upsert is one transaction: all of it or none of
it) and turns database errors into ``StoreError``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from types import TracebackType
from typing import Self

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from topicwire.errors import StoreError
from topicwire.model import Article, Provider, Source, Topic
from topicwire.store import articles as _articles
from topicwire.store import catalog as _catalog
from topicwire.store import sources as _sources
from topicwire.store import stories as _stories
from topicwire.store.articles import UpsertResult, url_hash
from topicwire.store.engine import describe, open_engine, store_error, writer
from topicwire.store.reading import (
    ArticleInfo,
    StoredArticle,
    article_index,
    chunked,
    load_articles,
    read_articles,
)
from topicwire.store.schema import ArticleRow
from topicwire.store.sources import FetchEntry, FetchRecord
from topicwire.store.stories import Member, StorySummary, StoryWriter
from topicwire.urls import canonical_key

log = logging.getLogger(__name__)

#: articles read per query by ``iter_articles``
PAGE = 200


class Store:
    """The database of a site: articles, topics, providers, sources, stories."""

    def __init__(self, engine: Engine) -> None:
        """Wrap an engine that is already migrated (use ``Store.open`` to get one)."""
        self._engine: Engine | None = engine
        self._writer = writer(engine)

    @classmethod
    def open(cls, url: str) -> Store:
        """Open the database at ``url`` (``sqlite:///path`` or ``postgresql+psycopg://...``),
        bringing its schema up to date with ``alembic upgrade head``.

        Raises ``StoreError`` when the database cannot be reached or migrated.
        """
        return cls(open_engine(url))

    def after_fork(self) -> None:
        """Call first thing in a child process forked while this store was open: the child
        opens connections of its own instead of sharing the parent's (the parent's pool is left
        to the parent)."""
        if self._engine is not None:
            self._engine.dispose(close=False)

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for tests and tools; stages use the methods)."""
        if self._engine is None:
            raise StoreError("the store is closed")
        return self._engine

    def close(self) -> None:
        """Release the database connections; the store cannot be used afterwards."""
        if self._engine is not None:
            log.debug("closing %s", describe(self._engine.url))
            self._engine.dispose()
            self._engine = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _session(self, action: str, *, write: bool = False) -> Iterator[Session]:
        engine = self.engine
        bind = self._writer if write else engine
        try:
            with Session(bind, expire_on_commit=False) as session, session.begin():
                yield session
        except SQLAlchemyError as exc:
            raise store_error(action, engine.url, exc) from exc

    # -- articles ---------------------------------------------------------------------------

    def upsert_articles(
        self, articles: Iterable[Article], *, fetches: Iterable[FetchRecord] = ()
    ) -> UpsertResult:
        """Insert or update ``articles`` by canonical URL, all in one transaction.

        Upserting an article already stored as it is reports it ``unchanged`` and writes
        nothing. ``fetches`` (the fetches that led to the articles, and the source state they
        advance) are written in the same transaction. Raises ``StoreError`` (and stores nothing
        of the batch) if any article has no URL or the database refuses one.
        """
        with self._session("storing articles", write=True) as session:
            result = _articles.upsert_articles(session, articles)
            _sources.record_fetches(session, fetches)
        log.info(
            "stored articles: %d inserted, %d updated, %d unchanged",
            result.inserted,
            result.updated,
            result.unchanged,
        )
        return result

    def get_article(self, key: int | str) -> StoredArticle | None:
        """The article with row id ``key``, or with URL ``key`` (canonicalized); else ``None``."""
        if isinstance(key, int) and not isinstance(key, bool):
            where = ArticleRow.id == key
        else:
            try:
                where = ArticleRow.url_hash == url_hash(canonical_key(str(key)))
            except ValueError:
                return None
        with self._session("reading an article") as session:
            rows = list(session.scalars(select(ArticleRow).where(where)))
            found = load_articles(session, rows)
        return found[0] if found else None

    def list_articles(self, limit: int | None = None, offset: int = 0) -> list[StoredArticle]:
        """Articles newest first (by ``publishedDateTime``, undated last, then by id)."""
        query = (
            select(ArticleRow)
            .order_by(ArticleRow.published_at.desc().nulls_last(), ArticleRow.id)
            .offset(offset)
            .limit(limit)
        )
        with self._session("listing articles") as session:
            return load_articles(session, session.scalars(query))

    def iter_articles(self) -> Iterator[StoredArticle]:
        """Every article in id order, read a page at a time (each page its own transaction,
        so the caller may write to the store while iterating)."""
        last = 0
        while True:
            query = (
                select(ArticleRow).where(ArticleRow.id > last).order_by(ArticleRow.id).limit(PAGE)
            )
            with self._session("reading articles") as session:
                page = load_articles(session, session.scalars(query))
            if not page:
                return
            yield from page
            last = page[-1].id

    def article_index(self) -> dict[int, ArticleInfo]:
        """What a publish needs of every article without loading it (see ``ArticleInfo``)."""
        with self._session("indexing articles") as session:
            return article_index(session)

    def count_articles(self) -> int:
        """How many articles are stored."""
        with self._session("counting articles") as session:
            return int(session.execute(select(func.count()).select_from(ArticleRow)).scalar_one())

    # -- topics and providers ------------------------------------------------------------------

    def upsert_topics(self, topics: Iterable[Topic]) -> None:
        """Insert or update taxonomy ``topics`` by id (parents given by name, in any order).

        A topic first met on an article (stored under the slug of its name) is taken over by
        the taxonomy entry with that name, its article links kept.
        """
        with self._session("storing topics", write=True) as session:
            _catalog.upsert_topics(session, topics)

    def list_topics(self) -> list[Topic]:
        """Every topic, by id, parents given by name as in the taxonomy files."""
        with self._session("listing topics") as session:
            return _catalog.list_topics(session)

    def topic_counts(self) -> dict[str, int]:
        """How many articles each topic has, by topic name."""
        with self._session("counting articles per topic") as session:
            return _catalog.topic_counts(session)

    def upsert_providers(self, providers: Iterable[Provider]) -> None:
        """Insert or update registry ``providers`` by domain (a provider's registry id)."""
        with self._session("storing providers", write=True) as session:
            _catalog.upsert_providers(session, providers)

    def get_provider(self, domain: str) -> Provider | None:
        """The provider stored under ``domain``, or ``None``."""
        with self._session("reading a provider") as session:
            return _catalog.get_provider(session, domain)

    def list_providers(self) -> list[Provider]:
        """Every stored provider (the registry and those met in articles), by domain."""
        with self._session("listing providers") as session:
            return _catalog.list_providers(session)

    # -- sources --------------------------------------------------------------------------------

    def add_sources(self, sources: Iterable[Source]) -> int:
        """Add sources not stored yet (by URL); the number added. Stored sources keep their
        fetch state."""
        with self._session("storing sources", write=True) as session:
            return _sources.add_sources(session, sources)

    def list_sources(self) -> list[Source]:
        """Every source with its fetch state, in the order added."""
        with self._session("listing sources") as session:
            return _sources.list_sources(session)

    def get_source(self, url: str) -> Source | None:
        """The source stored under ``url``, or ``None``."""
        with self._session("reading a source") as session:
            return _sources.get_source(session, url)

    def record_fetch(
        self,
        source_url: str,
        *,
        status: int | None,
        error: str | None,
        bytes: int | None,  # the name the fetch log uses
        started_at: datetime,
        finished_at: datetime | None,
        url: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        next_check_at: datetime | None = None,
        update_source: bool = True,
    ) -> None:
        """Log one fetch of ``source_url`` and update the source's last status and error.

        A failure (an error, or a status of 400 or more) adds one to the source's error count;
        a success resets it to 0. ``etag``, ``last_modified`` and ``next_check_at`` update the
        source when given; ``update_source=False`` only logs (an article page found through the
        source). Raises ``StoreError`` for an unknown source.
        """
        with self._session("recording a fetch", write=True) as session:
            _sources.record_fetch(
                session,
                source_url,
                status=status,
                error=error,
                bytes=bytes,
                started_at=started_at,
                finished_at=finished_at,
                url=url,
                etag=etag,
                last_modified=last_modified,
                next_check_at=next_check_at,
                update_source=update_source,
            )

    def record_fetches(self, records: Iterable[FetchRecord]) -> None:
        """Write several fetch records (see ``record_fetch``) in one transaction."""
        with self._session("recording fetches", write=True) as session:
            _sources.record_fetches(session, records)

    def fetch_log(self, source_url: str) -> list[FetchEntry]:
        """The logged fetches of ``source_url``, oldest first."""
        with self._session("reading the fetch log") as session:
            return _sources.fetch_log(session, source_url)

    # -- stories --------------------------------------------------------------------------------

    def create_story(self, title: str) -> int:
        """A new, empty story called ``title``; its id."""
        with self._session("creating a story", write=True) as session:
            return _stories.create_story(session, title)

    def assign_story(self, article_id: int, story_id: int | None) -> None:
        """Put article ``article_id`` in story ``story_id`` (``None``: in no story)."""
        with self._session("assigning a story", write=True) as session:
            _stories.assign_story(session, article_id, story_id)

    def story_members(
        self,
        *,
        since: datetime | None = None,
        story_ids: Iterable[int] | None = None,
        unclustered: bool = False,
        ids: Iterable[int] | None = None,
    ) -> list[Member]:
        """Articles as the stories stage sees them (see ``store.stories.members``)."""
        with self._session("reading story members") as session:
            return _stories.members(
                session, since=since, story_ids=story_ids, unclustered=unclustered, ids=ids
            )

    def get_articles(self, ids: Iterable[int], *, lean: bool = False) -> dict[int, StoredArticle]:
        """The stored articles among ``ids``, by id; ``lean``: without their full text and
        embedding (``text``/``embedding`` are None), which a publish never shows."""
        wanted = sorted(set(ids))
        found: dict[int, StoredArticle] = {}
        with self._session("reading articles") as session:
            for part in chunked(wanted):
                found.update((s.id, s) for s in read_articles(session, part, lean=lean))
        return found

    def story_links(self) -> list[tuple[str, int, int]]:
        """Editors' decisions: ``(kind, article a, article b)`` with kind ``must``/``cannot``."""
        with self._session("reading story decisions") as session:
            return _stories.links(session)

    def get_story(self, story_id: int) -> StorySummary | None:
        """One story, or ``None``."""
        with self._session("reading a story") as session:
            return _stories.get_story(session, story_id)

    def get_stories(self, ids: Iterable[int]) -> dict[int, StorySummary]:
        """The stories among ``ids``, by id (one query per few hundred)."""
        with self._session("reading stories") as session:
            return _stories.get_stories(session, ids)

    def story_heat_histories(self, ids: Iterable[int]) -> dict[int, list[tuple[datetime, int]]]:
        """The hourly heat points of the stories among ``ids``, by story."""
        with self._session("reading heat history") as session:
            return _stories.heat_histories(session, ids)

    def list_stories(self, *, limit: int | None = None, order: str = "heat") -> list[StorySummary]:
        """Non-empty stories, hottest first (``order="recent"``: latest coverage first)."""
        with self._session("listing stories") as session:
            return _stories.list_stories(session, limit=limit, order=order)

    def story_heat_history(self, story_id: int) -> list[tuple[datetime, int]]:
        """A story's hourly heat points, oldest first."""
        with self._session("reading heat history") as session:
            return _stories.heat_history(session, story_id)

    def merge_stories(self, keep: int, other: int) -> int:
        """An editor merges story ``other`` into ``keep`` (recorded; clustering honours it)."""
        with self._session("merging stories", write=True) as session:
            return _stories.merge_stories(session, keep, other)

    def split_story(self, story_id: int, article_ids: Iterable[int]) -> int:
        """An editor moves ``article_ids`` out of ``story_id`` into a new story; its id."""
        with self._session("splitting a story", write=True) as session:
            return _stories.split_story(session, story_id, article_ids)

    def delete_articles(self, ids: Iterable[int]) -> list[int]:
        """Delete articles for good; the stories they leave behind (to update), by id."""
        with self._session("deleting articles", write=True) as session:
            return _stories.delete_articles(session, ids)

    def set_editor_published(self, article_id: int, value: bool | None) -> None:
        """An editor's publish decision (``None`` hands the article back to the rule)."""
        with self._session("recording a publish decision", write=True) as session:
            _stories.set_editor_published(session, article_id, value)

    def editor_decisions(self, ids: Iterable[int]) -> dict[int, bool]:
        """Editors' publish decisions among ``ids``."""
        with self._session("reading publish decisions") as session:
            return _stories.editor_decisions(session, ids)

    @contextmanager
    def story_writer(self) -> Iterator[StoryWriter]:
        """One transaction in which a stories-stage run writes everything it computed."""
        with self._session("saving stories", write=True) as session:
            yield StoryWriter(session)
