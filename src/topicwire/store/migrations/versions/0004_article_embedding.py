"""Keep each article's sentence embedding, computed once by the enrich stage.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 15:25:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("embedding", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("embedding")
