"""The database: SQLAlchemy schema, Alembic migrations, and the ``Store`` every stage uses.

Only this package knows SQL. SQLite is the default (a file in the site folder, WAL, foreign keys
on); PostgreSQL is used when the settings give a ``postgresql+psycopg://`` URL.
"""

from __future__ import annotations

from topicwire.store.api import Store
from topicwire.store.articles import UpsertResult
from topicwire.store.reading import StoredArticle
from topicwire.store.sources import FetchEntry, FetchRecord

__all__ = ["FetchEntry", "FetchRecord", "Store", "StoredArticle", "UpsertResult"]
