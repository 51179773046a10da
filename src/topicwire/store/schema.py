"""The database schema: one declarative class per table.

Changing anything here needs an Alembic revision in ``migrations/versions``; a test compares the
migrated database with these classes and fails on any difference.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from topicwire.store.types import JSONText, UTCDateTime

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, aware UTC (the default of the bookkeeping timestamps)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Base of every table; constraint names follow ``NAMING_CONVENTION``."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ProviderRow(Base):
    """A publisher, keyed by domain: registry entries and providers first seen on an article."""

    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    domain: Mapped[str] = mapped_column(Text, unique=True)
    name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    weight: Mapped[float | None] = mapped_column(Float)
    images: Mapped[Any] = mapped_column(JSONText, nullable=False, default=list)
    extra: Mapped[Any] = mapped_column(JSONText, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TopicRow(Base):
    """A taxonomy node; ``id`` is the topic's ``_id`` slug, the parent is referenced by id."""

    __tablename__ = "topics"

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    parent_id: Mapped[str | None] = mapped_column(
        Text, ForeignKey("topics.id", ondelete="SET NULL", onupdate="CASCADE"), index=True
    )
    description: Mapped[str | None] = mapped_column(Text)
    keywords: Mapped[Any] = mapped_column(JSONText, nullable=False, default=list)
    hashtags: Mapped[Any] = mapped_column(JSONText, nullable=False, default=list)
    images: Mapped[Any] = mapped_column(JSONText, nullable=False, default=list)
    extra: Mapped[Any] = mapped_column(JSONText, nullable=False, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SourceRow(Base):
    """Something to read and its fetch state (the last error is kept here, where users look)."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    kind: Mapped[str] = mapped_column(Text, default="feed")
    title: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    next_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FetchLogRow(Base):
    """One fetch of a source: when, what came back, how many bytes, which error."""

    __tablename__ = "fetch_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("sources.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    byte_count: Mapped[int | None] = mapped_column("bytes", Integer)


class StoryRow(Base):
    """Coverage of one event: its title, its original report and its heat."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    original_article_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("articles.id", ondelete="SET NULL", use_alter=True)
    )
    heat: Mapped[int] = mapped_column(Integer, default=-1)
    #: publication times of its first and latest article (the window clustering looks at)
    first_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    article_count: Mapped[int] = mapped_column(Integer, default=0)
    provider_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StoryHeatRow(Base):
    """One hourly point of a story's heat history (for charts)."""

    __tablename__ = "story_heat"

    story_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    heat: Mapped[int] = mapped_column(Integer)


class StoryLinkRow(Base):
    """An editor's decision about two articles: ``must`` share a story or ``cannot``.

    Merging and splitting stories record these; clustering honours them and never moves an
    article an editor placed."""

    __tablename__ = "story_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(Text)
    a_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    b_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ArticleRow(Base):
    """One article: every scalar field of ``Article`` as a column, unique by canonical URL.

    ``url_key`` is the canonical key (``topicwire.urls.canonical_key``); uniqueness is enforced
    on ``url_hash`` (its SHA-256) because a btree entry cannot hold an arbitrarily long URL.
    ``provider_record`` is the article's own provider block exactly as in the record.
    ``stored_at``/``changed_at`` are bookkeeping (``updated_at`` is the record's field).
    """

    __tablename__ = "articles"
    __table_args__ = (Index("ix_articles_published_at_id", "published_at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url_key: Mapped[str] = mapped_column(Text)
    url_hash: Mapped[str] = mapped_column(String(64), unique=True)
    category: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    excerpt: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    original_url: Mapped[str | None] = mapped_column(Text)
    web_url: Mapped[str | None] = mapped_column(Text)
    amp_web_url: Mapped[str | None] = mapped_column(Text)
    cdn_amp_web_url: Mapped[str | None] = mapped_column(Text)
    type: Mapped[str | None] = mapped_column(Text)
    quality: Mapped[int | None] = mapped_column(Integer)
    heat: Mapped[int | None] = mapped_column(Integer)
    published: Mapped[bool | None] = mapped_column(Boolean)
    locale: Mapped[str | None] = mapped_column(Text)
    secured: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, default="")
    #: the full extracted text, kept for the stages that read it; never published
    text: Mapped[str | None] = mapped_column(Text)
    #: repair counts by kind and page metadata that is not a record field (never published)
    repairs: Mapped[Any] = mapped_column(JSONText, nullable=True)
    meta: Mapped[Any] = mapped_column(JSONText, nullable=True)
    #: the sentence embedding (float32, little-endian) of title, excerpt and lead
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary)
    provider_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("providers.id", ondelete="SET NULL"), index=True
    )
    provider_record: Mapped[Any] = mapped_column(JSONText, nullable=True)
    story_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("stories.id", ondelete="SET NULL"), index=True
    )
    #: the canonical article this one is a syndicated or lightly edited copy of
    copy_of_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    #: an editor's publish (true) or unpublish (false) decision; null: the rule decides
    editor_published: Mapped[bool | None] = mapped_column(Boolean)
    extra: Mapped[Any] = mapped_column(JSONText, nullable=False, default=dict)
    quality_signals: Mapped[Any] = mapped_column(JSONText, nullable=True)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ArticleTopicRow(Base):
    """An article's topic, in the article's order, with the evidence that put it there.

    Keyed by position (not topic) so an article's list comes back exactly as given.
    """

    __tablename__ = "article_topics"

    article_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic_id: Mapped[str] = mapped_column(
        Text, ForeignKey("topics.id", ondelete="CASCADE", onupdate="CASCADE"), index=True
    )
    evidence: Mapped[Any] = mapped_column(JSONText, nullable=True)


class ImageRow(Base):
    """An image of an article, in the article's order."""

    __tablename__ = "images"
    __table_args__ = (UniqueConstraint("article_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(Integer, ForeignKey("articles.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(Text)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    is_cached: Mapped[bool | None] = mapped_column(Boolean)
    title: Mapped[str | None] = mapped_column(Text)
    attribution: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[Any] = mapped_column(JSONText, nullable=False, default=dict)


class RelatedLinkRow(Base):
    """An item of an article's ``related`` list: the snapshot as given, and the stored article
    it points at when that article is in the store (matched by canonical URL hash)."""

    __tablename__ = "related_links"
    __table_args__ = (UniqueConstraint("article_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(Integer, ForeignKey("articles.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    target_url_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    target_article_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    item: Mapped[Any] = mapped_column(JSONText, nullable=False)
