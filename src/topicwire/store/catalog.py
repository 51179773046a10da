"""Topics and providers: the taxonomy and the provider registry, and the rows articles link to."""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from topicwire.errors import StoreError
from topicwire.model import Image, Provider, Topic
from topicwire.store.codec import decode_extra, encode_extra, nested_from_json, nested_to_json
from topicwire.store.schema import ArticleTopicRow, ProviderRow, TopicRow, utcnow
from topicwire.store.sqlutil import insert_ignore, insert_or_update
from topicwire.text import slugify


def topic_ids(session: Session, names: Iterable[str], cache: MutableMapping[str, str]) -> list[str]:
    """The ids of the topics called ``names`` (same order), creating missing topics.

    A new topic's id is the slug of its name, with ``-2``, ``-3`` ... added when that id is taken.
    ``cache`` maps names to ids already known in this transaction.
    """
    ids: list[str] = []
    for name in names:
        found = cache.get(name)
        if found is None:
            found = session.execute(select(TopicRow.id).where(TopicRow.name == name)).scalar()
        if found is None:
            found = _create_topic(session, name)
        cache[name] = found
        ids.append(found)
    return ids


def _create_topic(session: Session, name: str) -> str:
    base = slugify(name) or "topic"
    now = utcnow()
    taken = set(
        session.scalars(
            select(TopicRow.id).where(
                or_(TopicRow.id == base, TopicRow.id.startswith(f"{base}-", autoescape=True))
            )
        )
    )
    candidates = (base if n == 1 else f"{base}-{n}" for n in range(1, len(taken) + 3))
    for candidate in (c for c in candidates if c not in taken):
        values = {"id": candidate, "name": name, "keywords": [], "hashtags": [], "images": []}
        insert_ignore(
            session, TopicRow, {**values, "extra": {}, "created_at": now, "updated_at": now}
        )
        found = session.execute(select(TopicRow.id).where(TopicRow.name == name)).scalar()
        if found is not None:  # ours, or one another writer made meanwhile
            return found
        # not inserted: another writer took this id meanwhile; try the next one
    raise StoreError(f"cannot create topic {name!r}: no free id near {base!r}")


def _topic_values(topic: Topic) -> dict[str, Any]:
    return {
        "name": topic.name,
        "description": topic.description,
        "keywords": list(topic.keywords),
        "hashtags": list(topic.hashtags),
        "images": list(topic.images),
        "extra": encode_extra(topic.extra),
        "updated_at": utcnow(),
    }


def _place_topic(session: Session, topic: Topic) -> None:
    """Make the row ``topic.id`` hold ``topic`` (its parent is set afterwards).

    When another row already has this name (a topic first met on an article, under its slug),
    that row becomes this one: renamed if the id is free, merged into the id's row otherwise.
    """
    id_row = session.execute(select(TopicRow.id).where(TopicRow.id == topic.id)).scalar()
    name_row = session.execute(select(TopicRow.id).where(TopicRow.name == topic.name)).scalar()
    values = _topic_values(topic)
    if name_row is not None and name_row != topic.id:
        if id_row is None:  # rename: links follow through ON UPDATE CASCADE
            session.execute(
                update(TopicRow).where(TopicRow.id == name_row).values(id=topic.id, **values)
            )
            return
        session.execute(
            update(ArticleTopicRow)
            .where(ArticleTopicRow.topic_id == name_row)
            .values(topic_id=topic.id)
        )
        session.execute(
            update(TopicRow).where(TopicRow.parent_id == name_row).values(parent_id=topic.id)
        )
        session.execute(delete(TopicRow).where(TopicRow.id == name_row))
    if id_row is None:
        session.execute(insert(TopicRow).values(id=topic.id, created_at=utcnow(), **values))
    else:
        session.execute(update(TopicRow).where(TopicRow.id == topic.id).values(**values))


def upsert_topics(session: Session, topics: Iterable[Topic]) -> None:
    """Insert or update ``topics`` by id; parents (given by name) may come in any order."""
    items = list(topics)
    for topic in items:
        _place_topic(session, topic)
    cache: dict[str, str] = {}
    for topic in items:
        parent = None if topic.parent is None else topic_ids(session, [topic.parent], cache)[0]
        session.execute(update(TopicRow).where(TopicRow.id == topic.id).values(parent_id=parent))


def list_topics(session: Session) -> list[Topic]:
    """Every topic, by id, with its parent given by name as in the taxonomy files."""
    rows = list(session.scalars(select(TopicRow).order_by(TopicRow.id)))
    names = {row.id: row.name for row in rows}
    return [
        Topic.model_validate(
            {
                "id": row.id,
                "name": row.name,
                "parent": None if row.parent_id is None else names.get(row.parent_id),
                "description": row.description,
                "keywords": row.keywords,
                "hashtags": row.hashtags,
                "images": row.images,
                "extra": decode_extra(row.extra),
            }
        )
        for row in rows
    ]


def upsert_providers(session: Session, providers: Iterable[Provider]) -> None:
    """Insert or update registry ``providers`` by domain (their registry id)."""
    for provider in providers:
        if not provider.domain:
            raise StoreError(f"provider {provider.name!r} has no domain (its registry id)")
        now = utcnow()
        values = {
            "name": provider.name,
            "description": provider.description,
            "weight": provider.weight,
            "images": [nested_to_json(image) for image in provider.images],
            "extra": encode_extra(provider.extra),
            "updated_at": now,
        }
        insert_or_update(
            session,
            ProviderRow,
            {"domain": provider.domain, "created_at": now, **values},
            key=["domain"],
            update=values,
        )


def get_provider(session: Session, domain: str) -> Provider | None:
    """The provider registered under ``domain``, or ``None``."""
    row = session.scalars(select(ProviderRow).where(ProviderRow.domain == domain)).first()
    return None if row is None else _provider_from_row(row)


def topic_counts(session: Session) -> dict[str, int]:
    """How many distinct articles each topic has, by topic name (topics without any left out)."""
    rows = session.execute(
        select(TopicRow.name, func.count(func.distinct(ArticleTopicRow.article_id)))
        .join(ArticleTopicRow, ArticleTopicRow.topic_id == TopicRow.id)
        .group_by(TopicRow.name)
    )
    return {name: int(count) for name, count in rows}


def list_providers(session: Session) -> list[Provider]:
    """Every provider, by domain."""
    rows = session.scalars(select(ProviderRow).order_by(ProviderRow.domain))
    return [_provider_from_row(row) for row in rows]


def _provider_from_row(row: ProviderRow) -> Provider:
    return Provider.model_validate(
        {
            "name": row.name,
            "domain": row.domain,
            "images": [nested_from_json(Image, image) for image in row.images],
            "description": row.description,
            "weight": row.weight,
            "extra": decode_extra(row.extra),
        }
    )


def provider_id(
    session: Session, provider: Provider | None, cache: MutableMapping[str, int]
) -> int | None:
    """The id of the ``providers`` row for an article's provider block (``None`` without domain).

    A domain not seen before gets a row with the block's name and images; an existing row (a
    registry entry) is left as it is.
    """
    if provider is None or not provider.domain:
        return None
    domain = provider.domain
    if domain not in cache:
        now = utcnow()
        insert_ignore(
            session,
            ProviderRow,
            {
                "domain": domain,
                "name": provider.name,
                "images": [nested_to_json(image) for image in provider.images],
                "extra": {},
                "created_at": now,
                "updated_at": now,
            },
        )
        found = session.execute(select(ProviderRow.id).where(ProviderRow.domain == domain)).scalar()
        if found is None:  # pragma: no cover - inserted or present, so always found
            raise StoreError(f"cannot find or create provider {domain!r}")
        cache[domain] = found
    return cache[domain]
