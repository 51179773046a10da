"""Storing articles: the idempotent batch upsert, keyed by canonical URL.

An article's identity is ``canonical_key(article.url)``; its row holds every scalar field, and its
topics, images and related items are child rows kept in the article's order. Upserting what is
already stored changes nothing; a changed article has its row updated and only the child lists
that differ replaced. The caller runs a whole batch in one transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from topicwire.errors import StoreError
from topicwire.model import Article, RelatedItem
from topicwire.store.catalog import provider_id, topic_ids
from topicwire.store.codec import encode_extra, nested_to_json
from topicwire.store.reading import chunked, load_articles
from topicwire.store.schema import (
    ArticleRow,
    ArticleTopicRow,
    ImageRow,
    RelatedLinkRow,
    utcnow,
)
from topicwire.urls import canonical_key


@dataclass(frozen=True)
class UpsertResult:
    """What a batch upsert did: counts by outcome and each input article's row id, in order."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    ids: list[int] = field(default_factory=list)


def url_hash(key: str) -> str:
    """The SHA-256 (hex) of a canonical key: the unique column behind ``url_key``."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def article_key(article: Article) -> str:
    """The canonical key of ``article`` (from ``webUrl``, else ``originalUrl``).

    Raises ``StoreError`` naming the article when it has neither or the URL cannot be parsed.
    """
    url = article.url
    if not url:
        raise StoreError(f"article {article.title!r} has neither webUrl nor originalUrl")
    try:
        return canonical_key(url)
    except ValueError as exc:
        raise StoreError(f"article {article.title!r} has an unusable URL {url!r}: {exc}") from exc


def check_text(article: Article) -> None:
    """Refuse an article whose text holds a NUL character (PostgreSQL cannot store one; SQLite
    refuses it too, so both backends behave alike). JSON-stored parts are escaped and exempt."""
    texts: list[tuple[str, str | None]] = [
        (name, value)
        for name, value in _columns(article).items()
        if isinstance(value, str) or value is None
    ]
    texts += [("topics", name) for name in article.topics]
    for image in article.images:
        texts += [("images", image.url), ("images", image.title), ("images", image.attribution)]
    for name, value in texts:
        if value is not None and "\x00" in value:
            problem = "contains a NUL character, which cannot be stored"
            raise StoreError(f"article {article.title!r}: {name} {problem}")


def related_hash(item: RelatedItem) -> str | None:
    """The URL hash of the article a related item points at (``None`` if it has no usable URL)."""
    url = item.web_url or item.original_url
    if not url:
        return None
    try:
        return url_hash(canonical_key(url))
    except ValueError:
        return None


def _columns(article: Article) -> dict[str, Any]:
    provider = article.provider
    return {
        "category": article.category,
        "title": article.title,
        "excerpt": article.excerpt,
        "published_at": article.published_at,
        "updated_at": article.updated_at,
        "original_url": article.original_url,
        "web_url": article.web_url,
        "amp_web_url": article.amp_web_url,
        "cdn_amp_web_url": article.cdn_amp_web_url,
        "type": article.type,
        "quality": article.quality,
        "heat": article.heat,
        "published": article.published,
        "locale": article.locale,
        "secured": article.secured,
        "body": article.body,
        "text": article.text,
        "repairs": dict(article.repairs) or None,
        "meta": dict(article.meta) or None,
        "quality_signals": list(article.quality_signals) or None,
        "embedding": article.embedding,
        "provider_record": None if provider is None else nested_to_json(provider),
        "extra": encode_extra(article.extra),
    }


class _Batch:
    """The state of one upsert batch inside its transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.now: datetime = utcnow()
        self.providers: dict[str, int] = {}
        self.topics: dict[str, str] = {}
        #: url hash -> (row id, article as now stored) for rows met in this batch
        self.known: dict[str, tuple[int, Article]] = {}
        self.changed_ids: list[int] = []
        self.inserted_hashes: list[str] = []

    def preload(self, hashes: Sequence[str]) -> None:
        """Load the stored articles among ``hashes`` (to compare them with the new ones)."""
        for part in chunked(sorted(set(hashes))):
            rows = list(
                self.session.scalars(select(ArticleRow).where(ArticleRow.url_hash.in_(part)))
            )
            by_id = {row.id: row.url_hash for row in rows}
            for stored in load_articles(self.session, rows):
                self.known[by_id[stored.id]] = (stored.id, stored.article)

    def put(self, key: str, digest: str, article: Article) -> str:
        """Store one article; returns ``"inserted"``, ``"updated"`` or ``"unchanged"``."""
        current = self.known.get(digest)
        if current is not None and current[1] == article:
            return "unchanged"
        values = _columns(article)
        values["provider_id"] = provider_id(self.session, article.provider, self.providers)
        if current is None:
            row_id = self.session.execute(
                insert(ArticleRow)
                .values(
                    url_key=key, url_hash=digest, stored_at=self.now, changed_at=self.now, **values
                )
                .returning(ArticleRow.id)
            ).scalar_one()
            old: Article | None = None
            self.inserted_hashes.append(digest)
        else:
            row_id, old = current
            self.session.execute(
                update(ArticleRow)
                .where(ArticleRow.id == row_id)
                .values(changed_at=self.now, **values)
            )
        if (
            old is None
            or old.topics != article.topics
            or old.topic_evidence != article.topic_evidence
        ):
            self._put_topics(row_id, article, replace=old is not None)
        if old is None or old.images != article.images:
            self._put_images(row_id, article, replace=old is not None)
        if old is None or old.related != article.related:
            self._put_related(row_id, article.related, replace=old is not None)
        self.known[digest] = (row_id, article)
        self.changed_ids.append(row_id)
        return "inserted" if old is None else "updated"

    def _put_topics(self, row_id: int, article: Article, *, replace: bool) -> None:
        names = article.topics
        evidence: dict[str, Any] = {}
        if replace:  # keep the evidence of topics the article still has
            links = self.session.execute(
                select(ArticleTopicRow.topic_id, ArticleTopicRow.evidence).where(
                    ArticleTopicRow.article_id == row_id
                )
            )
            evidence = {topic_id: found for topic_id, found in links if found is not None}
            self.session.execute(
                delete(ArticleTopicRow).where(ArticleTopicRow.article_id == row_id)
            )
        ids = topic_ids(self.session, names, self.topics)
        for name, topic_id in zip(names, ids, strict=True):
            if name in article.topic_evidence:  # new evidence replaces what was kept
                evidence[topic_id] = article.topic_evidence[name]
        if ids:
            self.session.execute(
                insert(ArticleTopicRow),
                [
                    {
                        "article_id": row_id,
                        "position": position,
                        "topic_id": topic_id,
                        "evidence": evidence.get(topic_id),
                    }
                    for position, topic_id in enumerate(ids)
                ],
            )

    def _put_images(self, row_id: int, article: Article, *, replace: bool) -> None:
        if replace:
            self.session.execute(delete(ImageRow).where(ImageRow.article_id == row_id))
        if article.images:
            self.session.execute(
                insert(ImageRow),
                [
                    {
                        "article_id": row_id,
                        "position": position,
                        "url": image.url,
                        "width": image.width,
                        "height": image.height,
                        "is_cached": image.is_cached,
                        "title": image.title,
                        "attribution": image.attribution,
                        "extra": encode_extra(image.extra),
                    }
                    for position, image in enumerate(article.images)
                ],
            )

    def _put_related(self, row_id: int, related: list[RelatedItem], *, replace: bool) -> None:
        if replace:
            self.session.execute(delete(RelatedLinkRow).where(RelatedLinkRow.article_id == row_id))
        if related:
            self.session.execute(
                insert(RelatedLinkRow),
                [
                    {
                        "article_id": row_id,
                        "position": position,
                        "target_url_hash": related_hash(item),
                        "target_article_id": None,
                        "item": nested_to_json(item),
                    }
                    for position, item in enumerate(related)
                ],
            )

    def link_related(self) -> None:
        """Point related links at stored articles: this batch's links, and older links that
        name an article this batch inserted."""
        target = (
            select(ArticleRow.id)
            .where(ArticleRow.url_hash == RelatedLinkRow.target_url_hash)
            .scalar_subquery()
        )
        unresolved = (
            RelatedLinkRow.target_article_id.is_(None),
            RelatedLinkRow.target_url_hash.is_not(None),
        )
        for ids in chunked(sorted(set(self.changed_ids))):
            self.session.execute(
                update(RelatedLinkRow)
                .where(*unresolved, RelatedLinkRow.article_id.in_(ids))
                .values(target_article_id=target)
            )
        for hashes in chunked(self.inserted_hashes):
            self.session.execute(
                update(RelatedLinkRow)
                .where(*unresolved, RelatedLinkRow.target_url_hash.in_(hashes))
                .values(target_article_id=target)
            )


def upsert_articles(session: Session, articles: Iterable[Article]) -> UpsertResult:
    """Insert or update ``articles`` by canonical URL, in the caller's transaction.

    Every article's key is computed before anything is written, so an article without a URL
    fails the batch up front; any later failure is left to the caller's rollback.
    """
    items = list(articles)
    for article in items:
        check_text(article)
    keys = [article_key(article) for article in items]
    hashes = [url_hash(key) for key in keys]
    batch = _Batch(session)
    batch.preload(hashes)
    counts = {"inserted": 0, "updated": 0, "unchanged": 0}
    ids: list[int] = []
    for key, digest, article in zip(keys, hashes, items, strict=True):
        counts[batch.put(key, digest, article)] += 1
        ids.append(batch.known[digest][0])
    batch.link_related()
    return UpsertResult(ids=ids, **counts)
