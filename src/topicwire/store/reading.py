"""Rebuilding ``Article`` objects from their rows (the read half of the article store)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session, defer

from topicwire.model import Article, Image, Provider, RelatedItem
from topicwire.store.codec import decode_extra, nested_from_json
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
    """An :class:`ArticleInfo` for every stored article, by id (three narrow queries, run on
    the connection: no ORM bookkeeping for 20,000 rows)."""
    connection = session.connection()
    topics: dict[int, list[str]] = defaultdict(list)
    rows = connection.execute(
        select(ArticleTopicRow.article_id, TopicRow.name)
        .join(TopicRow, TopicRow.id == ArticleTopicRow.topic_id)
        .order_by(ArticleTopicRow.article_id, ArticleTopicRow.position)
    )
    for article_id, name in rows:
        topics[article_id].append(name)
    targets: dict[int, list[tuple[int, int]]] = defaultdict(list)
    links = connection.execute(
        select(RelatedLinkRow.article_id, RelatedLinkRow.position, RelatedLinkRow.target_article_id)
        .where(RelatedLinkRow.target_article_id.is_not(None))
        .order_by(RelatedLinkRow.article_id, RelatedLinkRow.position)
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
    for row in connection.execute(query):
        article_id = row[0]
        found[article_id] = ArticleInfo(
            id=article_id,
            revision=row[1] or "",
            title=row[2],
            published_at=row[3],
            stored_at=row[4],
            published=bool(row[5]),
            story_id=row[6],
            copy_of_id=row[7],
            heat=row[8],
            domain=row[9],
            topics=tuple(topics.get(article_id, ())),
            related_targets=tuple(targets.get(article_id, ())),
        )
    return found


def chunked(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def image_from_row(row: ImageRow) -> Image:
    """The ``Image`` an ``images`` row holds."""
    return Image.model_validate(
        {
            "url": row.url,
            "width": row.width,
            "height": row.height,
            "is_cached": row.is_cached,
            "title": row.title,
            "attribution": row.attribution,
            "extra": decode_extra(row.extra),
        }
    )


@dataclass
class _Children:
    """The child rows of some articles, by article id."""

    topics: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    evidence: dict[int, dict[str, Any]] = field(default_factory=lambda: defaultdict(dict))
    images: dict[int, list[Image]] = field(default_factory=lambda: defaultdict(list))
    related: dict[int, list[RelatedItem]] = field(default_factory=lambda: defaultdict(list))


def _children(session: Session, ids: Sequence[int]) -> _Children:
    found = _Children()
    topics, evidence, images, related = found.topics, found.evidence, found.images, found.related
    for part in chunked(ids):
        topic_rows = session.execute(
            select(ArticleTopicRow.article_id, TopicRow.name, ArticleTopicRow.evidence)
            .join(TopicRow, TopicRow.id == ArticleTopicRow.topic_id)
            .where(ArticleTopicRow.article_id.in_(part))
            .order_by(ArticleTopicRow.article_id, ArticleTopicRow.position)
        )
        for article_id, name, why in topic_rows:
            topics[article_id].append(name)
            if why is not None:
                evidence[article_id][name] = why
        image_rows = session.scalars(
            select(ImageRow)
            .where(ImageRow.article_id.in_(part))
            .order_by(ImageRow.article_id, ImageRow.position)
        )
        for image in image_rows:
            images[image.article_id].append(image_from_row(image))
        related_rows = session.execute(
            select(RelatedLinkRow.article_id, RelatedLinkRow.item)
            .where(RelatedLinkRow.article_id.in_(part))
            .order_by(RelatedLinkRow.article_id, RelatedLinkRow.position)
        )
        for article_id, item in related_rows:
            related[article_id].append(nested_from_json(RelatedItem, item))
    return found


def article_from_row(row: ArticleRow, children: _Children, *, lean: bool = False) -> Article:
    """The ``Article`` an ``articles`` row and its children hold; ``lean``: without its full
    text and embedding (a row read with those columns deferred, see :data:`LEAN`)."""
    fields: dict[str, Any] = {
        "category": row.category,
        "title": row.title,
        "excerpt": row.excerpt,
        "published_at": row.published_at,
        "updated_at": row.updated_at,
        "original_url": row.original_url,
        "web_url": row.web_url,
        "amp_web_url": row.amp_web_url,
        "cdn_amp_web_url": row.cdn_amp_web_url,
        "type": row.type,
        "quality": row.quality,
        "heat": row.heat,
        "published": row.published,
        "locale": row.locale,
        "provider": (
            None if row.provider_record is None else nested_from_json(Provider, row.provider_record)
        ),
        "topics": children.topics[row.id],
        "topic_evidence": children.evidence[row.id],
        "images": children.images[row.id],
        "related": children.related[row.id],
        "secured": row.secured,
        "body": row.body,
        "text": None if lean else row.text,
        "repairs": row.repairs or {},
        "meta": row.meta or {},
        "quality_signals": row.quality_signals or [],
        "embedding": None if lean else row.embedding,
        "extra": decode_extra(row.extra),
    }
    return Article.model_validate(fields)


#: query options that leave out what a publish never shows: the full text and the embedding
LEAN = (defer(ArticleRow.text), defer(ArticleRow.embedding))


def load_articles(
    session: Session, rows: Iterable[ArticleRow], *, lean: bool = False
) -> list[StoredArticle]:
    """The stored articles of ``rows`` (in the same order), children loaded in a few queries;
    ``lean`` when the rows were read with :data:`LEAN`."""
    rows = list(rows)
    children = _children(session, [row.id for row in rows])
    return [
        StoredArticle(
            id=row.id,
            article=article_from_row(row, children, lean=lean),
            story_id=row.story_id,
        )
        for row in rows
    ]
