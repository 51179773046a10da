"""Opening a database: the engine, its per-connection settings and the Alembic upgrade.

SQLite (the default, a file in the site folder) runs in WAL mode with foreign keys on and a busy
timeout; SQLAlchemy emits ``BEGIN`` itself so a transaction covers reads as well as writes, and a
writing transaction starts with ``BEGIN IMMEDIATE`` so two writers queue instead of failing.
PostgreSQL is reached through psycopg 3 with the session time zone set to UTC.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from topicwire.errors import StoreError

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: milliseconds a SQLite connection waits for a lock before giving up
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: execution option naming the ``BEGIN`` flavour for SQLite (``IMMEDIATE`` for writers)
BEGIN_OPTION = "topicwire_sqlite_begin"
#: key of the PostgreSQL advisory lock held while migrating (two processes never race)
MIGRATION_LOCK_KEY = 0x746F7069  # "topi"
#: the newest packaged migration: a store already there opens without loading Alembic (a test
#: holds this to Alembic's own answer, so a new migration cannot be forgotten here)
HEAD_REVISION = "0005"


def describe(url: URL) -> str:
    """A human description of where ``url`` points, without its password."""
    if url.get_backend_name() == "sqlite":
        return f"SQLite database {url.database or ':memory:'}"
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    return f"PostgreSQL at {where} (database {url.database!r})"


def store_error(action: str, url: URL, exc: BaseException) -> StoreError:
    """A ``StoreError`` for a failed ``action`` against ``url``, naming the driver's reason."""
    reason = getattr(exc, "orig", None) or exc
    lines = str(reason).strip().splitlines()
    message = lines[0] if lines else type(reason).__name__
    if action == "open":
        return StoreError(f"cannot reach {describe(url)}: {message}")
    return StoreError(f"{action} failed on {describe(url)}: {message}")


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # let SQLAlchemy emit BEGIN (the sqlite3 module's own handling skips it before SELECTs)
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
    finally:
        cursor.close()


def _on_sqlite_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def _on_postgresql_connect(dbapi_connection: Any, _record: Any) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET TIME ZONE 'UTC'")
    dbapi_connection.commit()


def make_engine(url: str | URL) -> Engine:
    """An engine for ``url`` (``sqlite:///path`` or ``postgresql+psycopg://...``), not yet used.

    Raises ``StoreError`` for a URL that is malformed or names a backend other than these two.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    try:
        if backend == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
            event.listen(engine, "connect", _on_sqlite_connect)
            event.listen(engine, "begin", _on_sqlite_begin)
        elif backend == "postgresql":
            if parsed.drivername == "postgresql":
                parsed = parsed.set(drivername="postgresql+psycopg")
            engine = create_engine(parsed, pool_pre_ping=True)
            event.listen(engine, "connect", _on_postgresql_connect)
        else:
            raise StoreError(
                f"unsupported database {backend!r} in {parsed!r}: use SQLite or PostgreSQL"
            )
    except (NoSuchModuleError, ArgumentError, OSError) as exc:
        raise StoreError(f"cannot open {describe(parsed)}: {exc}") from exc
    return engine


def writer(engine: Engine) -> Engine:
    """A view of ``engine`` whose transactions are writers (``BEGIN IMMEDIATE`` on SQLite)."""
    return engine.execution_options(**{BEGIN_OPTION: "IMMEDIATE"})


def migrate(engine: Engine, revision: str = "head") -> None:
    """Run the Alembic migrations up to ``revision`` in one transaction.

    On PostgreSQL an advisory lock keeps two processes from migrating at once; on SQLite the
    ``BEGIN IMMEDIATE`` does. Raises ``StoreError`` when the database refuses.
    """
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    try:
        with writer(engine).connect() as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                )
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    except SQLAlchemyError as exc:
        raise store_error("migration", engine.url, exc) from exc


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (``None`` before the first migration)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    """The newest revision among the packaged migrations."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    return ScriptDirectory.from_config(config).get_current_head()


def _at_head(conn: Connection) -> bool:
    """Whether the database says it is at :data:`HEAD_REVISION` (no version table: no)."""
    try:
        with conn.begin_nested():
            found = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except SQLAlchemyError:
        return False
    return found == [HEAD_REVISION]


def open_engine(url: str | URL) -> Engine:
    """An engine for ``url``, checked reachable and migrated to the newest revision."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = _at_head(conn)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise store_error("open", engine.url, exc) from exc
    if current:
        log.debug("opened %s (schema at %s)", describe(engine.url), HEAD_REVISION)
        return engine
    try:
        migrate(engine)
    except StoreError:
        engine.dispose()
        raise
    log.debug("opened %s", describe(engine.url))
    return engine
