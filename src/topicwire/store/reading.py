"""Rebuilding ``Article`` objects from their rows (the read half of the article store)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from topicwire.model import Article, Image, Provider, RelatedItem
from topicwire.store.codec import decode_extra, nested_from_json
from topicwire.store.schema import ArticleRow, ArticleTopicRow, ImageRow, RelatedLinkRow, TopicRow

T = TypeVar("T")

#: rows per ``IN (...)`` list, well under SQLite's and PostgreSQL's parameter limits
CHUNK = 500


@dataclass(frozen=True)
class StoredArticle:
    """An article as stored: its row id, the article itself and the story it belongs to."""

    id: int
    article: Article
    story_id: int | None


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


def _children(
    session: Session, ids: Sequence[int]
) -> tuple[dict[int, list[str]], dict[int, list[Image]], dict[int, list[RelatedItem]]]:
    topics: dict[int, list[str]] = defaultdict(list)
    images: dict[int, list[Image]] = defaultdict(list)
    related: dict[int, list[RelatedItem]] = defaultdict(list)
    for part in chunked(ids):
        topic_rows = session.execute(
            select(ArticleTopicRow.article_id, TopicRow.name)
            .join(TopicRow, TopicRow.id == ArticleTopicRow.topic_id)
            .where(ArticleTopicRow.article_id.in_(part))
            .order_by(ArticleTopicRow.article_id, ArticleTopicRow.position)
        )
        for article_id, name in topic_rows:
            topics[article_id].append(name)
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
    return topics, images, related


def article_from_row(
    row: ArticleRow, topics: list[str], images: list[Image], related: list[RelatedItem]
) -> Article:
    """The ``Article`` an ``articles`` row and its children hold."""
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
        "topics": topics,
        "images": images,
        "related": related,
        "secured": row.secured,
        "body": row.body,
        "text": row.text,
        "repairs": row.repairs or {},
        "meta": row.meta or {},
        "extra": decode_extra(row.extra),
    }
    return Article.model_validate(fields)


def load_articles(session: Session, rows: Iterable[ArticleRow]) -> list[StoredArticle]:
    """The stored articles of ``rows`` (in the same order), children loaded in a few queries."""
    rows = list(rows)
    topics, images, related = _children(session, [row.id for row in rows])
    return [
        StoredArticle(
            id=row.id,
            article=article_from_row(row, topics[row.id], images[row.id], related[row.id]),
            story_id=row.story_id,
        )
        for row in rows
    ]
