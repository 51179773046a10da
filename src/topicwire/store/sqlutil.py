"""Small SQL helpers shared by the store modules: dialect-aware ``INSERT ... ON CONFLICT``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from topicwire.store.schema import Base


def _insert(session: Session, model: type[Base]) -> Any:
    """The dialect's own ``insert`` (the one with ``on_conflict_*``) for ``model``; each dialect
    module is imported by the first write that needs it (a publish, which only reads, never)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert(model)
    from sqlalchemy.dialects import sqlite

    return sqlite.insert(model)


def insert_ignore(session: Session, model: type[Base], values: Mapping[str, Any]) -> bool:
    """Insert one row unless it would break a unique constraint; whether it was inserted."""
    key = list(inspect(model).primary_key)
    statement = _insert(session, model).values(dict(values)).on_conflict_do_nothing()
    return session.execute(statement.returning(*key)).first() is not None


def insert_ignore_many(
    session: Session, model: type[Base], rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert ``rows`` in one executemany, skipping those that would break a unique constraint."""
    if rows:
        session.execute(_insert(session, model).on_conflict_do_nothing(), [dict(r) for r in rows])


def insert_or_update(
    session: Session,
    model: type[Base],
    values: Mapping[str, Any],
    *,
    key: Sequence[str],
    update: Mapping[str, Any],
) -> None:
    """Insert one row, or when a row with the same ``key`` columns exists set ``update`` on it."""
    statement = _insert(session, model).values(dict(values))
    session.execute(statement.on_conflict_do_update(index_elements=list(key), set_=dict(update)))
