"""Stories in full: their span and counts, an hourly heat history, editors' merge and split
decisions, near-duplicate links between articles and an editor's publish decision.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 16:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("stories") as batch:
        batch.add_column(sa.Column("first_published_at", TIMESTAMP, nullable=True))
        batch.add_column(sa.Column("last_published_at", TIMESTAMP, nullable=True))
        batch.add_column(
            sa.Column("article_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("provider_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch.create_index(
            batch.f("ix_stories_last_published_at"), ["last_published_at"], unique=False
        )
    with op.batch_alter_table("stories") as batch:
        batch.alter_column("article_count", server_default=None)
        batch.alter_column("provider_count", server_default=None)
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("copy_of_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("editor_published", sa.Boolean(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_articles_copy_of_id_articles"),
            "articles",
            ["copy_of_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(batch.f("ix_articles_copy_of_id"), ["copy_of_id"], unique=False)
    op.create_table(
        "story_heat",
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("heat", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["stories.id"],
            name=op.f("fk_story_heat_story_id_stories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("story_id", "at", name=op.f("pk_story_heat")),
    )
    op.create_table(
        "story_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("a_id", sa.Integer(), nullable=False),
        sa.Column("b_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["a_id"], ["articles.id"], name=op.f("fk_story_links_a_id_articles"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["b_id"], ["articles.id"], name=op.f("fk_story_links_b_id_articles"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_story_links")),
    )
    op.create_index(op.f("ix_story_links_a_id"), "story_links", ["a_id"], unique=False)
    op.create_index(op.f("ix_story_links_b_id"), "story_links", ["b_id"], unique=False)


def downgrade() -> None:
    """Undo this revision."""
    op.drop_index(op.f("ix_story_links_b_id"), table_name="story_links")
    op.drop_index(op.f("ix_story_links_a_id"), table_name="story_links")
    op.drop_table("story_links")
    op.drop_table("story_heat")
    with op.batch_alter_table("articles") as batch:
        batch.drop_index(batch.f("ix_articles_copy_of_id"))
        batch.drop_constraint(batch.f("fk_articles_copy_of_id_articles"), type_="foreignkey")
        batch.drop_column("editor_published")
        batch.drop_column("copy_of_id")
    with op.batch_alter_table("stories") as batch:
        batch.drop_index(batch.f("ix_stories_last_published_at"))
        batch.drop_column("provider_count")
        batch.drop_column("article_count")
        batch.drop_column("last_published_at")
        batch.drop_column("first_published_at")
