"""Alembic environment: runs against the connection topicwire hands over.

``topicwire.store.engine.migrate`` builds an ``alembic.config.Config`` in code (no alembic.ini)
and puts an open connection in ``config.attributes["connection"]``; this file only configures the
migration context on it. SQLite gets batch mode, since it cannot ALTER most things in place.
"""

from __future__ import annotations

from alembic import context

from topicwire.store.schema import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "topicwire migrations run through topicwire.store (Store.open or engine.migrate), "
        "which passes the connection in config.attributes['connection']"
    )

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
