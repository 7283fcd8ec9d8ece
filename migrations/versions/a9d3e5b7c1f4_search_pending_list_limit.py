"""the search index's pending list is kept small on PostgreSQL (every search reads it in full)

Revision ID: a9d3e5b7c1f4
Revises: f2c8a4e6b1d9
Create Date: 2026-12-05 04:55:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a9d3e5b7c1f4'
down_revision = 'f2c8a4e6b1d9'
branch_labels = None
depends_on = None

# As tracker/search/engine.py's PG_PENDING_LIMIT_KB (a migration must not import the app).
LIMIT_KB = 256


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX IF EXISTS ix_search_document_vector "
                   f"SET (gin_pending_list_limit = {LIMIT_KB})")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER INDEX IF EXISTS ix_search_document_vector "
                   "RESET (gin_pending_list_limit)")
