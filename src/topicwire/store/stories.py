"""Stories: coverage of one event across outlets (a minimal start: create, assign)."""

from __future__ import annotations

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from topicwire.errors import StoreError
from topicwire.store.schema import ArticleRow, StoryRow, utcnow


def create_story(session: Session, title: str) -> int:
    """A new story called ``title``; its id."""
    now = utcnow()
    return session.execute(
        insert(StoryRow)
        .values(title=title, heat=-1, created_at=now, updated_at=now)
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
