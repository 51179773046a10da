"""Keep what repair fixed and the page metadata that is not a record field.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 15:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

#: JSON kept as text so key order survives (``json``, not ``jsonb``, on PostgreSQL)
JSON = sa.JSON(none_as_null=True)

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("repairs", JSON, nullable=True))
        batch.add_column(sa.Column("meta", JSON, nullable=True))


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("meta")
        batch.drop_column("repairs")
