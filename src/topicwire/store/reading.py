"""Rebuilding ``Article`` objects from their rows (the read half of the article store)."""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, String, bindparam, cast, select
from sqlalchemy.orm import Session, defer
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.elements import BindParameter

from topicwire.model import Article, Image, Provider, RelatedItem
from topicwire.store.codec import decode_extra, nested_fields
from topicwire.store.schema import (
    ArticleRow,
    ArticleTopicRow,
    ImageRow,
    ProviderRow,
    RelatedLinkRow,
    TopicRow,
)

T = TypeVar("T")

#: rows per ``IN (...)`` list, well under SQLite's and PostgreSQL's parameter limits
CHUNK = 500
#: what a missing timestamp that cannot be missing reads as
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class StoredArticle:
    """An article as stored: its row id, the article itself and the story it belongs to."""

    id: int
    article: Article
    story_id: int | None


@dataclass(frozen=True, slots=True)
class ArticleInfo:
    """What a publish needs to know of every stored article without loading it: enough to
    sort, page and link, and a revision that changes whenever the article's content does.

    ``revision`` is the row's ``changed_at``: every content write (``upsert_articles``) sets it.
    The other fields are read fresh each time, so writes that touch only them (story
    placement, copies, an editor's publish decision) need not bump it.
    """

    id: int
    revision: str
    title: str
    published_at: datetime | None
    stored_at: datetime
    published: bool
    story_id: int | None
    copy_of_id: int | None
    heat: int | None
    #: the stored provider's domain (the registry entry the pages show)
    domain: str | None
    #: topic names, in the article's order
    topics: tuple[str, ...] = ()
    #: ``(position in related, stored article id)`` for related items that name a stored article
    related_targets: tuple[tuple[int, int], ...] = ()

    @property
    def time(self) -> datetime:
        """When it appeared: its publication time, else when it was stored (story order)."""
        return self.published_at or self.stored_at


def article_index(session: Session) -> dict[int, ArticleInfo]:
    """An :class:`ArticleInfo` for every stored article, by id: three narrow queries, built
    with the schema and run on the database connection itself (at 20,000 articles and 70,000
    topic rows, SQLAlchemy's result rows and type processing were two thirds of the time)."""
    connection = session.connection()
    topics: dict[int, list[str]] = defaultdict(list)
    rows = _raw_rows(
        connection,
        select(ArticleTopicRow.article_id, TopicRow.name)
        .join(TopicRow, TopicRow.id == ArticleTopicRow.topic_id)
        .order_by(ArticleTopicRow.article_id, ArticleTopicRow.position),
    )
    for article_id, name in rows:
        topics[article_id].append(name)
    targets: dict[int, list[tuple[int, int]]] = defaultdict(list)
    links = _raw_rows(
        connection,
        select(RelatedLinkRow.article_id, RelatedLinkRow.position, RelatedLinkRow.target_article_id)
        .where(RelatedLinkRow.target_article_id.is_not(None))
        .order_by(RelatedLinkRow.article_id, RelatedLinkRow.position),
    )
    for article_id, position, target in links:
        if target is not None:
            targets[article_id].append((position, target))
    query = select(
        ArticleRow.id,
        # as the database's text: compared for equality only, never parsed
        cast(ArticleRow.changed_at, String),
        ArticleRow.title,
        ArticleRow.published_at,
        ArticleRow.stored_at,
        ArticleRow.published,
        ArticleRow.story_id,
        ArticleRow.copy_of_id,
        ArticleRow.heat,
        ProviderRow.domain,
    ).outerjoin(ProviderRow, ProviderRow.id == ArticleRow.provider_id)
    found: dict[int, ArticleInfo] = {}
    no_topics: tuple[str, ...] = ()
    no_targets: tuple[tuple[int, int], ...] = ()
    for row in _raw_rows(connection, query):
        article_id = row[0]
        found[article_id] = ArticleInfo(
            id=article_id,
            revision=row[1] or "",
            title=row[2],
            published_at=_utc(row[3]),
            stored_at=_utc(row[4]) or EPOCH,  # (never NULL)
            published=bool(row[5]),
            story_id=row[6],
            copy_of_id=row[7],
            heat=row[8],
            domain=row[9],
            topics=tuple(topics[article_id]) if article_id in topics else no_topics,
            related_targets=tuple(targets[article_id]) if article_id in targets else no_targets,
        )
    return found


def _raw_rows(connection: Connection, query: ClauseElement) -> list[Any]:
    """The rows of ``query`` (no parameters) as the database driver returns them, in the
    connection's transaction: integers, text and booleans as they are; timestamps as the
    driver gives them (see :func:`_utc`)."""
    sql = str(query.compile(dialect=connection.dialect))
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _utc(value: datetime | str | None) -> datetime | None:
    """A timestamp column as :class:`~topicwire.store.types.UTCDateTime` reads it: PostgreSQL's
    driver gives an aware ``datetime``, SQLite its naive UTC text."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def chunked(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _image(
    url: str,
    width: int | None,
    height: int | None,
    is_cached: bool | None,
    title: str | None,
    attribution: str | None,
    extra: Any,
) -> dict[str, Any]:
    """The input ``Image.model_validate`` takes for the values of an ``images`` row."""
    return {
        "url": url,
        "width": width,
        "height": height,
        "is_cached": is_cached,
        "title": title,
        "attribution": attribution,
        "extra": decode_extra(extra),
    }


def image_from_row(row: ImageRow) -> Image:
    """The ``Image`` an ``images`` row holds."""
    return Image.model_validate(
        _image(row.url, row.width, row.height, row.is_cached, row.title, row.attribution, row.extra)
    )


@dataclass
class _Children:
    """The child rows of some articles, by article id; images and related items as the
    mappings ``Article.model_validate`` takes (validated with their article, in one go)."""

    topics: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    evidence: dict[int, dict[str, Any]] = field(default_factory=lambda: defaultdict(dict))
    images: dict[int, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    related: dict[int, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))


#: the child rows of a list of articles (``ids``), in their order: built once, as the statement
#: construction cost as much as running a query for a batch of a few hundred
_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
_TOPIC_ROWS = (
    select(ArticleTopicRow.article_id, TopicRow.name, ArticleTopicRow.evidence)
    .join(TopicRow, TopicRow.id == ArticleTopicRow.topic_id)
    .where(ArticleTopicRow.article_id.in_(_IDS))
    .order_by(ArticleTopicRow.article_id, ArticleTopicRow.position)
)
# columns, not ``ImageRow`` entities: no ORM bookkeeping for thousands of rows
_IMAGE_ROWS = (
    select(
        ImageRow.article_id,
        ImageRow.url,
        ImageRow.width,
        ImageRow.height,
        ImageRow.is_cached,
        ImageRow.title,
        ImageRow.attribution,
        ImageRow.extra,
    )
    .where(ImageRow.article_id.in_(_IDS))
    .order_by(ImageRow.article_id, ImageRow.position)
)
_RELATED_ROWS = (
    select(RelatedLinkRow.article_id, RelatedLinkRow.item)
    .where(RelatedLinkRow.article_id.in_(_IDS))
    .order_by(RelatedLinkRow.article_id, RelatedLinkRow.position)
)


def _children(session: Session | Connection, ids: Sequence[int]) -> _Children:
    """The children of the articles ``ids``: three queries per :data:`CHUNK` of them, run on
    ``session`` or, when no pending change can be among them, straight on its connection."""
    found = _Children()
    topics, evidence, images, related = found.topics, found.evidence, found.images, found.related
    for part in chunked(ids):
        wanted = {"ids": list(part)}
        for article_id, name, why in session.execute(_TOPIC_ROWS, wanted):
            topics[article_id].append(name)
            if why is not None:
                evidence[article_id][name] = why
        image_rows = session.execute(_IMAGE_ROWS, wanted)
        for article_id, url, width, height, cached, title, attribution, extra in image_rows:
            images[article_id].append(_image(url, width, height, cached, title, attribution, extra))
        for article_id, item in session.execute(_RELATED_ROWS, wanted):
            related[article_id].append(nested_fields(RelatedItem, item))
    return found


#: the ``articles`` columns an ``Article`` is built from, in the order :func:`_article` takes
#: them (the row id and story id first); :data:`FULL_COLUMNS` adds the text and the embedding
LEAN_COLUMNS = (
    ArticleRow.id,
    ArticleRow.story_id,
    ArticleRow.category,
    ArticleRow.title,
    ArticleRow.excerpt,
    ArticleRow.published_at,
    ArticleRow.updated_at,
    ArticleRow.original_url,
    ArticleRow.web_url,
    ArticleRow.amp_web_url,
    ArticleRow.cdn_amp_web_url,
    ArticleRow.type,
    ArticleRow.quality,
    ArticleRow.heat,
    ArticleRow.published,
    ArticleRow.locale,
    ArticleRow.provider_record,
    ArticleRow.secured,
    ArticleRow.body,
    ArticleRow.repairs,
    ArticleRow.meta,
    ArticleRow.quality_signals,
    ArticleRow.extra,
)
FULL_COLUMNS = (*LEAN_COLUMNS, ArticleRow.text, ArticleRow.embedding)
_LEAN_ROWS = select(*LEAN_COLUMNS).where(ArticleRow.id.in_(_IDS))
_FULL_ROWS = select(*FULL_COLUMNS).where(ArticleRow.id.in_(_IDS))


def _values(row: ArticleRow, *, lean: bool) -> tuple[Any, ...]:
    """The values of :data:`LEAN_COLUMNS` (or :data:`FULL_COLUMNS`) an ORM row holds."""
    values = (
        row.id,
        row.story_id,
        row.category,
        row.title,
        row.excerpt,
        row.published_at,
        row.updated_at,
        row.original_url,
        row.web_url,
        row.amp_web_url,
        row.cdn_amp_web_url,
        row.type,
        row.quality,
        row.heat,
        row.published,
        row.locale,
        row.provider_record,
        row.secured,
        row.body,
        row.repairs,
        row.meta,
        row.quality_signals,
        row.extra,
    )
    return values if lean else (*values, row.text, row.embedding)


def _article(values: Sequence[Any], children: _Children) -> Article:
    """The ``Article`` of one row of :data:`LEAN_COLUMNS` (text and embedding None) or of
    :data:`FULL_COLUMNS`, with its children."""
    (
        article_id,
        _story_id,
        category,
        title,
        excerpt,
        published_at,
        updated_at,
        original_url,
        web_url,
        amp_web_url,
        cdn_amp_web_url,
        kind,
        quality,
        heat,
        published,
        locale,
        provider,
        secured,
        body,
        repairs,
        meta,
        quality_signals,
        extra,
        *rest,
    ) = values
    text, embedding = rest if rest else (None, None)
    fields: dict[str, Any] = {
        "category": category,
        "title": title,
        "excerpt": excerpt,
        "published_at": published_at,
        "updated_at": updated_at,
        "original_url": original_url,
        "web_url": web_url,
        "amp_web_url": amp_web_url,
        "cdn_amp_web_url": cdn_amp_web_url,
        "type": kind,
        "quality": quality,
        "heat": heat,
        "published": published,
        "locale": locale,
        "provider": None if provider is None else nested_fields(Provider, provider),
        "topics": children.topics[article_id],
        "topic_evidence": children.evidence[article_id],
        "images": children.images[article_id],
        "related": children.related[article_id],
        "secured": secured,
        "body": body,
        "text": text,
        "repairs": repairs or {},
        "meta": meta or {},
        "quality_signals": quality_signals or [],
        "embedding": embedding,
        "extra": decode_extra(extra),
    }
    return Article.model_validate(fields)


def article_from_row(row: ArticleRow, children: _Children, *, lean: bool = False) -> Article:
    """The ``Article`` an ``articles`` row and its children hold; ``lean``: without its full
    text and embedding (a row read with those columns deferred, see :data:`LEAN`)."""
    return _article(_values(row, lean=lean), children)


#: query options that leave out what a publish never shows: the full text and the embedding
LEAN = (defer(ArticleRow.text), defer(ArticleRow.embedding))


def load_articles(
    session: Session, rows: Iterable[ArticleRow], *, lean: bool = False
) -> list[StoredArticle]:
    """The stored articles of ``rows`` (in the same order), children loaded in a few queries;
    ``lean`` when the rows were read with :data:`LEAN`."""
    return _stored(session, [_values(row, lean=lean) for row in rows])


def read_articles(
    session: Session, ids: Sequence[int], *, lean: bool = False
) -> list[StoredArticle]:
    """The stored articles among ``ids`` (at most :data:`CHUNK` of them), read as plain columns
    rather than ORM rows; ``lean``: without their full text and embedding."""
    statement = _LEAN_ROWS if lean else _FULL_ROWS
    # on the connection, past the ORM's result handling (the rows are plain columns); flushed
    # first, as the session would, so nothing pending is missed (a no-op for a read)
    session.flush()
    connection = session.connection()
    with _paused_gc():
        rows = connection.execute(statement, {"ids": list(ids)}).all()
        return _stored(connection, rows)


@contextmanager
def _paused_gc() -> Iterator[None]:
    """Hold off the cyclic garbage collector while a batch of articles is built: the batch
    allocates hundreds of thousands of small containers, none of them garbage, and the
    collections they trigger (the older generations walk every object the process holds)
    cost more than the building itself. Collection resumes when the batch is done; a
    collector already off (a publish pauses it) is left off."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _stored(session: Session | Connection, rows: Sequence[Sequence[Any]]) -> list[StoredArticle]:
    children = _children(session, [row[0] for row in rows])
    return [
        StoredArticle(id=row[0], article=_article(row, children), story_id=row[1]) for row in rows
    ]
