"""Sources (what to read) and their fetch log; the last error is kept on the source row."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from topicwire.errors import StoreError
from topicwire.model import Source
from topicwire.store.schema import FetchLogRow, SourceRow, utcnow
from topicwire.store.sqlutil import insert_ignore


@dataclass(frozen=True)
class FetchEntry:
    """One line of a source's fetch log."""

    url: str
    started_at: datetime
    finished_at: datetime | None
    status: int | None
    error: str | None
    bytes: int | None


def add_sources(session: Session, sources: Iterable[Source]) -> int:
    """Add the sources whose URL is not stored yet; the number added.

    A source already stored keeps its fetch state; its kind, and its title when one is given,
    are updated from ``sources``.
    """
    added = 0
    for source in sources:
        now = utcnow()
        inserted = insert_ignore(
            session,
            SourceRow,
            {
                "url": source.url,
                "kind": source.kind,
                "title": source.title,
                "etag": source.etag,
                "last_modified": source.last_modified,
                "last_status": source.last_status,
                "last_error": source.last_error,
                "error_count": source.error_count,
                "next_check_at": source.next_check_at,
                "created_at": now,
                "updated_at": now,
            },
        )
        added += int(inserted)
        changes: dict[str, object] = {"kind": source.kind}
        if source.title is not None:
            changes["title"] = source.title
        session.execute(
            update(SourceRow)
            .where(SourceRow.url == source.url)
            .where(
                or_(*(getattr(SourceRow, name).is_distinct_from(v) for name, v in changes.items()))
            )
            .values(updated_at=now, **changes)
        )
    return added


def _source_from_row(row: SourceRow) -> Source:
    return Source(
        url=row.url,
        kind=row.kind,
        title=row.title,
        etag=row.etag,
        last_modified=row.last_modified,
        last_status=row.last_status,
        last_error=row.last_error,
        error_count=row.error_count,
        next_check_at=row.next_check_at,
    )


def list_sources(session: Session) -> list[Source]:
    """Every source with its fetch state, in the order they were added."""
    return [
        _source_from_row(row) for row in session.scalars(select(SourceRow).order_by(SourceRow.id))
    ]


def get_source(session: Session, url: str) -> Source | None:
    """The source stored under ``url``, or ``None``."""
    row = session.scalars(select(SourceRow).where(SourceRow.url == url)).first()
    return None if row is None else _source_from_row(row)


def is_success(status: int | None, error: str | None) -> bool:
    """A fetch succeeded when it raised no error and its HTTP status (if any) is below 400."""
    return error is None and (status is None or status < 400)


def record_fetch(
    session: Session,
    source_url: str,
    *,
    status: int | None,
    error: str | None,
    bytes: int | None,  # the name the fetch log uses
    started_at: datetime,
    finished_at: datetime | None,
    url: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    next_check_at: datetime | None = None,
    update_source: bool = True,
) -> None:
    """Append one fetch of ``source_url`` to the log and update the source's state.

    With ``update_source=False`` only the log grows: that is how the fetch of an article page
    found through the source is recorded without touching the feed's own status and error count.
    """
    row = session.execute(
        select(SourceRow.id, SourceRow.error_count).where(SourceRow.url == source_url)
    ).first()
    if row is None:
        raise StoreError(f"no source {source_url!r} to record a fetch for (add it first)")
    source_id, error_count = row
    session.execute(
        insert(FetchLogRow).values(
            source_id=source_id,
            url=url or source_url,
            started_at=started_at,
            finished_at=finished_at,
            status=status,
            error=error,
            byte_count=bytes,
        )
    )
    if not update_source:
        return
    changes: dict[str, object] = {
        "last_status": status,
        "last_error": error,
        "error_count": 0 if is_success(status, error) else error_count + 1,
        "updated_at": utcnow(),
    }
    for name, value in (
        ("etag", etag),
        ("last_modified", last_modified),
        ("next_check_at", next_check_at),
    ):
        if value is not None:
            changes[name] = value
    session.execute(update(SourceRow).where(SourceRow.id == source_id).values(**changes))


def fetch_log(session: Session, source_url: str) -> list[FetchEntry]:
    """The fetches of ``source_url``, oldest first."""
    rows = session.scalars(
        select(FetchLogRow)
        .join(SourceRow, SourceRow.id == FetchLogRow.source_id)
        .where(SourceRow.url == source_url)
        .order_by(FetchLogRow.id)
    )
    return [
        FetchEntry(
            url=row.url,
            started_at=row.started_at,
            finished_at=row.finished_at,
            status=row.status,
            error=row.error,
            bytes=row.byte_count,
        )
        for row in rows
    ]


@dataclass
class FetchRecord:
    """One fetch to log, and (``update_source``) the source state it leads to.

    Kept by the fetch flow until the articles the fetch led to are stored, then written in the
    same transaction as them (:meth:`Store.upsert_articles`), so a source's validators and next
    check never advance past articles that were not stored.
    """

    source_url: str
    status: int | None
    error: str | None
    bytes: int | None
    started_at: datetime
    finished_at: datetime | None
    url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    next_check_at: datetime | None = None
    update_source: bool = True


def record_fetches(session: Session, records: Iterable[FetchRecord]) -> None:
    """Write ``records`` in order (see :func:`record_fetch`)."""
    for r in records:
        record_fetch(
            session,
            r.source_url,
            status=r.status,
            error=r.error,
            bytes=r.bytes,
            started_at=r.started_at,
            finished_at=r.finished_at,
            url=r.url,
            etag=r.etag,
            last_modified=r.last_modified,
            next_check_at=r.next_check_at,
            update_source=r.update_source,
        )
