"""Stories in the store: membership, near-duplicate links, heat history and editor decisions.

The stories stage (``topicwire.cluster.stage``) reads what it needs with :func:`members`, then
writes one run's results through a :class:`StoryWriter` inside a single transaction, so a run
killed part way leaves the store as it was and the next run redoes the work.

Editors merge and split stories with :func:`merge_stories` and :func:`split_story`; both move
articles at once and record the decision as ``must`` / ``cannot`` links between articles
(``story_links``), which every later clustering honours.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from topicwire.errors import StoreError
from topicwire.limits import sane_date
from topicwire.model import Article
from topicwire.store.articles import UpsertResult, upsert_articles
from topicwire.store.reading import chunked
from topicwire.store.schema import (
    ArticleRow,
    ProviderRow,
    StoryHeatRow,
    StoryLinkRow,
    StoryRow,
    utcnow,
)

#: characters of an article's text read for clustering (features use the lead only)
MEMBER_TEXT_CHARS = 4000

MUST = "must"
CANNOT = "cannot"


@dataclass(frozen=True)
class Member:
    """What the stories stage needs of one stored article, without loading all of it."""

    id: int
    title: str
    #: the lead of the article's text (its excerpt when there is no text)
    text: str
    embedding: bytes | None
    published_at: datetime | None
    stored_at: datetime
    domain: str | None
    story_id: int | None
    copy_of_id: int | None
    quality: int | None

    @property
    def time(self) -> datetime:
        """When it appeared: its publication time, else when it was stored.

        A publication time outside the sane range (before 1990, or more than two days after it
        was stored: a placeholder such as ``0001-01-01``, or a typo) is not used, so no window
        or heat computation ever starts from it."""
        return sane_date(self.published_at, self.stored_at) or self.stored_at


@dataclass(frozen=True)
class StorySummary:
    """A story row as listed."""

    id: int
    title: str
    original_article_id: int | None
    heat: int
    first_published_at: datetime | None
    last_published_at: datetime | None
    article_count: int
    provider_count: int
    #: when the stories stage last wrote the row and its heat history (publish uses it to tell
    #: whether a story page must be rendered again)
    updated_at: datetime | None = field(default=None, compare=False)


@dataclass(frozen=True)
class StoryState(StorySummary):
    """What the stories stage computed for one story in one run: its row, and its hourly
    ``(instant, heat)`` history, which replaces the stored one."""

    history: Sequence[tuple[datetime, int]] = ()


def members(
    session: Session,
    *,
    since: datetime | None = None,
    story_ids: Iterable[int] | None = None,
    unclustered: bool = False,
    ids: Iterable[int] | None = None,
) -> list[Member]:
    """Articles as :class:`Member`, oldest first.

    ``unclustered``: the articles in no story yet. ``since``: clustered articles that appeared
    at or after ``since``. ``story_ids``: the articles of those stories. ``ids``: those articles.
    """
    when = func.coalesce(ArticleRow.published_at, ArticleRow.stored_at)
    lead = func.substr(func.coalesce(ArticleRow.text, ArticleRow.excerpt, ""), 1, MEMBER_TEXT_CHARS)
    query = (
        select(
            ArticleRow.id,
            ArticleRow.title,
            lead,
            ArticleRow.embedding,
            ArticleRow.published_at,
            ArticleRow.stored_at,
            ProviderRow.domain,
            ArticleRow.story_id,
            ArticleRow.copy_of_id,
            ArticleRow.quality,
        )
        .outerjoin(ProviderRow, ProviderRow.id == ArticleRow.provider_id)
        .order_by(when, ArticleRow.id)
    )
    if unclustered:
        query = query.where(ArticleRow.story_id.is_(None))
    if since is not None:
        query = query.where(ArticleRow.story_id.is_not(None), when >= since)
    if story_ids is not None or ids is not None:
        wanted = sorted(set(story_ids if story_ids is not None else ids or ()))
        column = ArticleRow.story_id if story_ids is not None else ArticleRow.id
        found: list[Member] = []
        for part in chunked(wanted):
            found.extend(_member(row) for row in session.execute(query.where(column.in_(part))))
        found.sort(key=lambda m: (m.time, m.id))
        return found
    return [_member(row) for row in session.execute(query)]


def _member(row: Sequence[object]) -> Member:
    return Member(*row)  # type: ignore[arg-type]


def links(session: Session) -> list[tuple[str, int, int]]:
    """Every editor decision ``(kind, article a, article b)``, in the order made."""
    rows = session.execute(
        select(StoryLinkRow.kind, StoryLinkRow.a_id, StoryLinkRow.b_id).order_by(StoryLinkRow.id)
    )
    return [(kind, a, b) for kind, a, b in rows]


def get_story(session: Session, story_id: int) -> StorySummary | None:
    """One story's row, or ``None``."""
    row = session.get(StoryRow, story_id)
    return None if row is None else _summary(row)


def list_stories(
    session: Session, *, limit: int | None = None, order: str = "heat"
) -> list[StorySummary]:
    """Non-empty stories, hottest first (``order="recent"``: latest coverage first)."""
    keys = (
        (StoryRow.heat.desc(), StoryRow.last_published_at.desc(), StoryRow.id.desc())
        if order == "heat"
        else (StoryRow.last_published_at.desc(), StoryRow.id.desc())
    )
    query = select(StoryRow).where(StoryRow.article_count > 0).order_by(*keys).limit(limit)
    return [_summary(row) for row in session.scalars(query)]


def _summary(row: StoryRow) -> StorySummary:
    return StorySummary(
        id=row.id,
        title=row.title,
        original_article_id=row.original_article_id,
        heat=row.heat,
        first_published_at=row.first_published_at,
        last_published_at=row.last_published_at,
        article_count=row.article_count,
        provider_count=row.provider_count,
        updated_at=row.updated_at,
    )


def heat_history(session: Session, story_id: int) -> list[tuple[datetime, int]]:
    """A story's hourly heat points, oldest first."""
    rows = session.execute(
        select(StoryHeatRow.at, StoryHeatRow.heat)
        .where(StoryHeatRow.story_id == story_id)
        .order_by(StoryHeatRow.at)
    )
    return [(at, value) for at, value in rows]


def get_stories(session: Session, ids: Iterable[int]) -> dict[int, StorySummary]:
    """The stories among ``ids``, by id."""
    found: dict[int, StorySummary] = {}
    columns = (
        StoryRow.id,
        StoryRow.title,
        StoryRow.original_article_id,
        StoryRow.heat,
        StoryRow.first_published_at,
        StoryRow.last_published_at,
        StoryRow.article_count,
        StoryRow.provider_count,
        StoryRow.updated_at,
    )
    for part in chunked(sorted(set(ids))):
        # columns, not ORM rows: a publish reads every story (no identity map to keep)
        for row in session.execute(select(*columns).where(StoryRow.id.in_(part))):
            found[row[0]] = StorySummary(*row)
    return found


#: the heat points of a list of stories (built once: a publish asks once per piece of work)
_HEAT_ROWS = (
    select(StoryHeatRow.story_id, StoryHeatRow.at, StoryHeatRow.heat)
    .where(StoryHeatRow.story_id.in_(bindparam("ids", expanding=True)))
    .order_by(StoryHeatRow.story_id, StoryHeatRow.at)
)


def heat_histories(session: Session, ids: Iterable[int]) -> dict[int, list[tuple[datetime, int]]]:
    """The hourly heat points of the stories among ``ids``, oldest first, by story."""
    found: dict[int, list[tuple[datetime, int]]] = {}
    for part in chunked(sorted(set(ids))):
        for story_id, at, value in session.execute(_HEAT_ROWS, {"ids": list(part)}):
            found.setdefault(story_id, []).append((at, value))
    return found


def create_story(session: Session, title: str) -> int:
    """A new, empty story called ``title``; its id."""
    now = utcnow()
    return session.execute(
        insert(StoryRow)
        .values(
            title=title, heat=-1, article_count=0, provider_count=0, created_at=now, updated_at=now
        )
        .returning(StoryRow.id)
    ).scalar_one()


def assign_story(session: Session, article_id: int, story_id: int | None) -> None:
    """Put article ``article_id`` in story ``story_id`` (``None`` takes it out of any story)."""
    if story_id is not None and session.get(StoryRow, story_id) is None:
        raise StoreError(f"no story {story_id}")
    result = session.execute(
        update(ArticleRow).where(ArticleRow.id == article_id).values(story_id=story_id)
    )
    if not getattr(result, "rowcount", 0):
        raise StoreError(f"no article {article_id}")


def _story_article_ids(session: Session, story_id: int) -> list[int]:
    if session.get(StoryRow, story_id) is None:
        raise StoreError(f"no story {story_id}")
    when = func.coalesce(ArticleRow.published_at, ArticleRow.stored_at)
    return list(
        session.scalars(
            select(ArticleRow.id)
            .where(ArticleRow.story_id == story_id)
            .order_by(when, ArticleRow.id)
        )
    )


def _add_links(session: Session, kind: str, pairs: Sequence[tuple[int, int]]) -> None:
    if pairs:
        now = utcnow()
        session.execute(
            insert(StoryLinkRow),
            [{"kind": kind, "a_id": a, "b_id": b, "created_at": now} for a, b in pairs],
        )


def _drop_links_between(
    session: Session, kind: str, left: Sequence[int], right: Sequence[int]
) -> None:
    for part in chunked(list(left)):
        for other in chunked(list(right)):
            session.execute(
                delete(StoryLinkRow).where(
                    StoryLinkRow.kind == kind,
                    or_(
                        StoryLinkRow.a_id.in_(part) & StoryLinkRow.b_id.in_(other),
                        StoryLinkRow.a_id.in_(other) & StoryLinkRow.b_id.in_(part),
                    ),
                )
            )


def merge_stories(session: Session, keep: int, other: int) -> int:
    """Move every article of story ``other`` into story ``keep`` and delete ``other``.

    Recorded as must-links from ``keep``'s first article to each article of ``other``; earlier
    cannot-links between the two stories' articles are withdrawn. Returns ``keep``."""
    if keep == other:
        raise StoreError("a story cannot be merged into itself")
    kept = _story_article_ids(session, keep)
    moved = _story_article_ids(session, other)
    _drop_links_between(session, CANNOT, kept, moved)
    everything = kept + moved
    if everything:
        _add_links(session, MUST, [(everything[0], a) for a in everything[1:]])
    for part in chunked(moved):
        session.execute(update(ArticleRow).where(ArticleRow.id.in_(part)).values(story_id=keep))
    session.execute(delete(StoryRow).where(StoryRow.id == other))
    session.execute(update(StoryRow).where(StoryRow.id == keep).values(updated_at=utcnow()))
    return keep


def split_story(session: Session, story_id: int, article_ids: Iterable[int]) -> int:
    """Move ``article_ids`` (a proper, non-empty subset of the story) to a new story; its id.

    Recorded as must-links within each part and a cannot-link between the parts; must-links
    that crossed the new boundary are withdrawn."""
    current = _story_article_ids(session, story_id)
    wanted = set(article_ids)
    moved = [a for a in current if a in wanted]
    rest = [a for a in current if a not in wanted]
    if not moved or not rest or len(moved) != len(wanted):
        raise StoreError(
            f"a split needs a proper, non-empty subset of story {story_id}'s articles "
            f"({len(current)} articles; {len(wanted)} given, {len(moved)} of them in the story)"
        )
    _drop_links_between(session, MUST, moved, rest)
    _add_links(session, MUST, [(moved[0], a) for a in moved[1:]])
    _add_links(session, MUST, [(rest[0], a) for a in rest[1:]])
    _add_links(session, CANNOT, [(moved[0], rest[0])])
    title = session.scalar(select(ArticleRow.title).where(ArticleRow.id == moved[0])) or ""
    new_id = create_story(session, title)
    for part in chunked(moved):
        session.execute(update(ArticleRow).where(ArticleRow.id.in_(part)).values(story_id=new_id))
    session.execute(update(StoryRow).where(StoryRow.id == story_id).values(updated_at=utcnow()))
    return new_id


def delete_articles(session: Session, ids: Iterable[int]) -> list[int]:
    """Delete articles (their topics, images, related items and editor links go with them);
    returns the stories they belonged to that still have articles, which need updating. A story
    left empty is deleted. Related items elsewhere that pointed at them keep their snapshot
    until their own story is updated."""
    wanted = sorted(set(ids))
    stories: set[int] = set()
    for part in chunked(wanted):
        stories.update(
            s
            for s in session.scalars(select(ArticleRow.story_id).where(ArticleRow.id.in_(part)))
            if s is not None
        )
        session.execute(
            update(ArticleRow).where(ArticleRow.copy_of_id.in_(part)).values(copy_of_id=None)
        )
        session.execute(delete(ArticleRow).where(ArticleRow.id.in_(part)))
    used = {
        s
        for s in session.scalars(
            select(ArticleRow.story_id).where(ArticleRow.story_id.in_(sorted(stories))).distinct()
        )
        if s is not None
    }
    empty = sorted(stories - used)
    if empty:
        session.execute(delete(StoryRow).where(StoryRow.id.in_(empty)))
    return sorted(used)


def set_editor_published(session: Session, article_id: int, value: bool | None) -> None:
    """An editor publishes (``True``), unpublishes (``False``) or hands back to the rule
    (``None``); a decision takes effect at once."""
    values: dict[str, object] = {"editor_published": value}
    if value is not None:
        values["published"] = value
    result = session.execute(update(ArticleRow).where(ArticleRow.id == article_id).values(values))
    if not getattr(result, "rowcount", 0):
        raise StoreError(f"no article {article_id}")


def editor_decisions(session: Session, ids: Iterable[int]) -> dict[int, bool]:
    """The editor's publish decisions among ``ids`` (articles without one are absent)."""
    found: dict[int, bool] = {}
    for part in chunked(sorted(set(ids))):
        rows = session.execute(
            select(ArticleRow.id, ArticleRow.editor_published).where(
                ArticleRow.id.in_(part), ArticleRow.editor_published.is_not(None)
            )
        )
        found.update((article_id, bool(value)) for article_id, value in rows)
    return found


class StoryWriter:
    """Writes one stories-stage run inside the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def create_story(self, title: str) -> int:
        """A new story; its id."""
        return create_story(self.session, title)

    def place(self, placements: dict[int, int]) -> None:
        """Put articles in stories: article id -> story id."""
        by_story: dict[int, list[int]] = {}
        for article_id, story_id in placements.items():
            by_story.setdefault(story_id, []).append(article_id)
        for story_id, article_ids in by_story.items():
            for part in chunked(sorted(article_ids)):
                self.session.execute(
                    update(ArticleRow).where(ArticleRow.id.in_(part)).values(story_id=story_id)
                )

    def save_embeddings(self, embeddings: dict[int, bytes]) -> None:
        """Keep embeddings computed by the run (article id -> float32 bytes)."""
        for article_id, data in embeddings.items():
            self.session.execute(
                update(ArticleRow).where(ArticleRow.id == article_id).values(embedding=data)
            )

    def mark_copies(self, copies: dict[int, int | None]) -> None:
        """Article id -> the canonical article it copies (``None``: not a copy)."""
        for article_id, canonical in copies.items():
            self.session.execute(
                update(ArticleRow).where(ArticleRow.id == article_id).values(copy_of_id=canonical)
            )

    def save_story(self, state: StoryState) -> None:
        """A story's computed fields and its whole heat history."""
        self.session.execute(
            update(StoryRow)
            .where(StoryRow.id == state.id)
            .values(
                title=state.title,
                original_article_id=state.original_article_id,
                heat=state.heat,
                first_published_at=state.first_published_at,
                last_published_at=state.last_published_at,
                article_count=state.article_count,
                provider_count=state.provider_count,
                updated_at=utcnow(),
            )
        )
        self.session.execute(delete(StoryHeatRow).where(StoryHeatRow.story_id == state.id))
        if state.history:
            self.session.execute(
                insert(StoryHeatRow),
                [{"story_id": state.id, "at": at, "heat": value} for at, value in state.history],
            )

    def drop_empty_stories(self) -> int:
        """Delete stories no article belongs to any more; how many."""
        used = select(ArticleRow.story_id).where(ArticleRow.story_id.is_not(None)).distinct()
        result = self.session.execute(delete(StoryRow).where(StoryRow.id.not_in(used)))
        return int(getattr(result, "rowcount", 0) or 0)

    def upsert_articles(self, articles: Sequence[Article]) -> UpsertResult:
        """Store changed articles (heat, quality, related, published) as a normal upsert."""
        return upsert_articles(self.session, articles)
