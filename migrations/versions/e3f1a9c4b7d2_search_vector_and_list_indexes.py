"""search ranks on a stored tsvector on PostgreSQL; indexes for long lists

Revision ID: e3f1a9c4b7d2
Revises: e3f9a1c7b5d2
Create Date: 2026-12-02 20:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e3f1a9c4b7d2'
down_revision = 'e3f9a1c7b5d2'
branch_labels = None
depends_on = None

# The same statements as tracker/search/engine.py's PG_DDL (a migration must not import the app).
PG_VECTOR = ("setweight(to_tsvector('english', title), 'A') || "
             "setweight(to_tsvector('english', body), 'B')")
PG_UP = (
    f"ALTER TABLE search_document ADD COLUMN IF NOT EXISTS search_vector tsvector "
    f"GENERATED ALWAYS AS ({PG_VECTOR}) STORED",
    "DROP INDEX IF EXISTS ix_search_document_fts",
    "CREATE INDEX IF NOT EXISTS ix_search_document_vector ON search_document "
    "USING gin (search_vector)",
)
PG_DOWN = (
    "DROP INDEX IF EXISTS ix_search_document_vector",
    "ALTER TABLE search_document DROP COLUMN IF EXISTS search_vector",
    f"CREATE INDEX IF NOT EXISTS ix_search_document_fts ON search_document USING gin "
    f"(({PG_VECTOR}))",
)


def upgrade():
    # The cycles list pages by (updated_at, id) from the last row shown.
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cycle_updated_at'), ['updated_at'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_UP:
            op.execute(statement)


def downgrade():
    with op.batch_alter_table('cycle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cycle_updated_at'))
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_DOWN:
            op.execute(statement)
