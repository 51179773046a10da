"""Sources (what to read) and their fetch log; the last error is kept on the source row."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from topicwire.errors import StoreError
from topicwire.model import Source
from topicwire.store.schema import FetchLogRow, SourceRow, utcnow
from topicwire.store.sqlutil import insert_ignore_many


@dataclass(frozen=True)
class FetchEntry:
    """One line of a source's fetch log."""

    url: str
    started_at: datetime
    finished_at: datetime | None
    status: int | None
    error: str | None
    bytes: int | None


#: URLs looked up per statement when adding sources (below every backend's parameter limit)
_LOOKUP_CHUNK = 2000


def add_sources(session: Session, sources: Iterable[Source]) -> int:
    """Add the sources whose URL is not stored yet; the number added.

    A source already stored keeps its fetch state; its kind, and its title when one is given,
    are updated from ``sources`` (when a URL comes twice, its last kind and last title win).
    The work is a few statements per thousands of sources: the stored ones are read in chunks,
    the new ones inserted in one executemany, and only the rows that change are updated (one
    statement per source took 226 s for an OPML list of 150,000 feeds).
    """
    wanted: dict[str, Source] = {}
    for source in sources:
        earlier = wanted.get(source.url)
        if earlier is None:
            wanted[source.url] = source
        else:
            title = source.title if source.title is not None else earlier.title
            wanted[source.url] = earlier.model_copy(update={"kind": source.kind, "title": title})
    stored: dict[str, tuple[int, str, str | None]] = {}
    urls = list(wanted)
    for start in range(0, len(urls), _LOOKUP_CHUNK):
        chunk = urls[start : start + _LOOKUP_CHUNK]
        query = select(SourceRow.url, SourceRow.id, SourceRow.kind, SourceRow.title)
        for url, row_id, kind, title in session.execute(query.where(SourceRow.url.in_(chunk))):
            stored[url] = (row_id, kind, title)
    now = utcnow()
    new_rows = [_new_row(source, now) for url, source in wanted.items() if url not in stored]
    insert_ignore_many(session, SourceRow, new_rows)
    changed: list[dict[str, object]] = []
    for url, (row_id, kind, title) in stored.items():
        source = wanted[url]
        new_title = title if source.title is None else source.title
        if (source.kind, new_title) != (kind, title):
            changed.append(
                {"id": row_id, "kind": source.kind, "title": new_title, "updated_at": now}
            )
    if changed:
        session.execute(update(SourceRow), changed)  # an executemany by primary key
    return len(new_rows)


def _new_row(source: Source, now: datetime) -> dict[str, object]:
    return {
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
    }


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


#: the columns a Source is made of, read as plain rows (loading 150,000 ORM objects to copy them
#: into Sources took 5.7 s, plain rows 3.0 s)
_SOURCE_COLUMNS = (
    SourceRow.url,
    SourceRow.kind,
    SourceRow.title,
    SourceRow.etag,
    SourceRow.last_modified,
    SourceRow.last_status,
    SourceRow.last_error,
    SourceRow.error_count,
    SourceRow.next_check_at,
)


def list_sources(session: Session) -> list[Source]:
    """Every source with its fetch state, in the order they were added."""
    keys = [column.key for column in _SOURCE_COLUMNS]
    rows = session.execute(select(*_SOURCE_COLUMNS).order_by(SourceRow.id))
    return [Source(**dict(zip(keys, row, strict=True))) for row in rows]


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
