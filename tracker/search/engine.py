"""Full-text search behind one small interface: SQLite FTS5 or PostgreSQL text search.

`SearchDocument` rows hold the text of every idea, cycle and comment. They are kept in step by
a session hook on every flush (create, edit, soft delete, restore), whichever feature made the
change. Each engine indexes them its own way; `search()` hides which.
"""

import html
import re
from dataclasses import dataclass

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..core.db import hold_tables
from ..core.queries import LeadingJoin, written_limit
from ..core.versions import at_sites
from ..extensions import db
from ..models import ChangeIdea, Comment, Cycle, SearchDocument, Site, User, Visibility, utcnow

KINDS = ("idea", "cycle", "comment")
MAX_TERMS = 12
MARK_START, MARK_END = "\x02", "\x03"  # highlight markers, replaced after escaping

SQLITE_DDL = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(title, body, "
    "content='search_document', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS search_document_ai AFTER INSERT ON search_document BEGIN "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER IF NOT EXISTS search_document_ad AFTER DELETE ON search_document BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER IF NOT EXISTS search_document_au AFTER UPDATE ON search_document BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
)
PG_VECTOR = ("setweight(to_tsvector('english', title), 'A') || "
             "setweight(to_tsvector('english', body), 'B')")
# PostgreSQL keeps each document's vector in a stored generated column with a GIN index, so a
# search ranks on the stored vector instead of parsing every matching document again. The
# index gathers new documents in a pending list that every search reads in full until a
# vacuum (or the list's limit) files them: a 256 kB limit keeps that read small (at the
# default 4 MB, 3 ms twice per search at 1,500 sites, for a word found nowhere).
PG_PENDING_LIMIT_KB = 256
PG_DDL = (
    f"ALTER TABLE search_document ADD COLUMN IF NOT EXISTS search_vector tsvector "
    f"GENERATED ALWAYS AS ({PG_VECTOR}) STORED",
    "DROP INDEX IF EXISTS ix_search_document_fts",
    "CREATE INDEX IF NOT EXISTS ix_search_document_vector ON search_document "
    f"USING gin (search_vector) WITH (gin_pending_list_limit = {PG_PENDING_LIMIT_KB})",
)
# The engine's own structures, which the models do not describe (the drift check skips them).
ENGINE_OBJECTS = re.compile(r"^(search_fts.*|ix_search_document_fts|search_vector|"
                            r"ix_search_document_vector)$")
# Counting stops here: a common word shows "1,000+ results" instead of counting every match.
COUNT_CAP = 1000
# Ranking looks at the newest this many matches: scoring every match of a common word (30,000
# documents nationally, ten times that at 1,500 sites) cost 120 ms to 1.4 s; a word with fewer
# matches is ranked over all of them.
RANK_WINDOW = 2000


def include_name(name, type_, parent_names) -> bool:
    """Alembic's filter: compare everything but the engine's own search structures."""
    return not (name and ENGINE_OBJECTS.match(name))


def ddl_for(dialect: str) -> tuple[str, ...]:
    return SQLITE_DDL if dialect == "sqlite" else PG_DDL if dialect == "postgresql" else ()


@event.listens_for(SearchDocument.__table__, "after_create")
def _create_engine_index(table, connection, **kw) -> None:
    for statement in ddl_for(connection.dialect.name):
        connection.exec_driver_sql(statement)


@event.listens_for(SearchDocument.__table__, "before_drop")
def _drop_engine_index(table, connection, **kw) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("DROP TABLE IF EXISTS search_fts")


# --- keeping documents in step ------------------------------------------------------------

def _clean(text: str | None) -> str:
    # The highlight markers must only ever come from the engine.
    return (text or "").replace(MARK_START, "").replace(MARK_END, "")


def _cycle_text(c: Cycle) -> str:
    parts = [c.objective, c.plan_what, c.do_what_happened, c.do_problems, c.study_learning,
             c.act_next_steps]
    return "\n".join(p for p in parts if p)


@event.listens_for(Session, "after_flush")
def _sync(session: Session, flush_context) -> None:
    touched = [o for o in (*session.new, *session.dirty, *session.deleted)
               if isinstance(o, ChangeIdea | Cycle | Comment)]
    if not touched:
        return
    conn = session.connection()
    with at_sites((), session):  # search's index: no site's own page shows it
        for obj in touched:
            gone = obj in session.deleted or getattr(obj, "deleted_at", None) is not None
            _reindex(conn, obj, gone=gone)


def _reindex(conn, obj, *, gone: bool) -> None:
    kind = {ChangeIdea: "idea", Cycle: "cycle", Comment: "comment"}[type(obj)]
    docs = SearchDocument.__table__
    conn.execute(docs.delete().where(docs.c.kind == kind, docs.c.object_id == obj.id))
    if kind == "comment":
        if not gone:
            _index_comments(conn, sa.select(Comment.__table__).where(Comment.id == obj.id))
        return
    if not gone:
        if kind == "idea":
            row = dict(collaborative_id=obj.collaborative_id, site_id=obj.origin_site_id,
                       site_only=False, title=_clean(obj.title),
                       body=_clean(obj.description))
        else:
            collaborative_id = conn.scalar(
                sa.select(Site.collaborative_id).where(Site.id == obj.site_id))
            row = dict(collaborative_id=collaborative_id, site_id=obj.site_id,
                       site_only=obj.visibility == Visibility.SITE, title=_clean(obj.title),
                       body=_clean(_cycle_text(obj)))
        # The object's own time, not now: ranking ties go to recent work, and a rebuild (or the
        # demo) gives the same rows every time.
        changed = getattr(obj, "updated_at", None) or obj.created_at or utcnow()
        conn.execute(docs.insert().values(kind=kind, object_id=obj.id, updated_at=changed, **row))
    # A cycle's or idea's comments follow it into (and out of) the trash and its visibility.
    column = Comment.cycle_id if kind == "cycle" else Comment.idea_id
    comment_ids = sa.select(Comment.id).where(column == obj.id)
    conn.execute(docs.delete().where(docs.c.kind == "comment",
                                     docs.c.object_id.in_(comment_ids)))
    if not gone:
        _index_comments(conn, sa.select(Comment.__table__).where(column == obj.id))


def _index_comments(conn, comments: sa.Select) -> None:
    """Index live comments, each scoped like the cycle or idea it belongs to."""
    rows = _comment_rows(conn, comments)
    for r in rows:
        if r.deleted_at is not None or r.parent_deleted is not None or r.collab is None:
            continue
        conn.execute(SearchDocument.__table__.insert().values(
            kind="comment", object_id=r.id, collaborative_id=r.collab, site_id=r.site_id,
            site_only=r.visibility == Visibility.SITE.value,
            # No title: a comment is found by its own words, not its cycle's (the results
            # page names the cycle or idea it belongs to).
            title="", body=_clean(r.body),
            updated_at=r.edited_at or r.created_at,
        ))


def _comment_rows(conn, comments: sa.Select):
    c = comments.subquery()
    cycles, ideas = Cycle.__table__, ChangeIdea.__table__
    return conn.execute(
        sa.select(
            c.c.id, c.c.body, c.c.deleted_at, c.c.created_at, c.c.edited_at,
            sa.func.coalesce(Site.collaborative_id, ideas.c.collaborative_id).label("collab"),
            sa.func.coalesce(cycles.c.site_id, ideas.c.origin_site_id).label("site_id"),
            cycles.c.visibility,
            sa.func.coalesce(cycles.c.deleted_at, ideas.c.deleted_at).label("parent_deleted"),
        )
        .select_from(c)
        .outerjoin(cycles, cycles.c.id == c.c.cycle_id)
        .outerjoin(Site.__table__, Site.id == cycles.c.site_id)
        .outerjoin(ideas, ideas.c.id == c.c.idea_id)
    ).all()


def reindex_all() -> int:
    """Rebuild every search document from the tables (after an import or an upgrade). The
    index is held until the commit (core.db.hold_tables): a cycle saved meanwhile waits, then
    indexes itself over the rebuilt rows, where it would miss them and fail on their keys."""
    hold_tables(SearchDocument)
    conn = db.session.connection()
    conn.execute(SearchDocument.__table__.delete())
    for model in (ChangeIdea, Cycle):
        for obj in db.session.scalars(db.select(model).where(model.deleted_at.is_(None))):
            _reindex(conn, obj, gone=False)
    return db.session.scalar(db.select(db.func.count(SearchDocument.id)))


# --- searching ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Hit:
    kind: str
    object_id: int
    site_id: int | None
    title: Markup  # escaped, with <mark> around the matches
    snippet: Markup


def terms(text: str) -> list[str]:
    """The words of a user's query: letters and digits only, so no operator gets through."""
    return [w[:40] for w in re.findall(r"\w+", text or "")][:MAX_TERMS]


def search(text: str, *, user: User, kind: str | None = None, site_id: int | None = None,
           limit: int = 20, offset: int = 0) -> tuple[list[Hit], int]:
    """Ranked hits the user may see, and how many there are in all up to COUNT_CAP (a total
    above COUNT_CAP means "more than COUNT_CAP")."""
    words = terms(text)
    if not words:
        return [], 0
    docs = SearchDocument.__table__
    scope = [docs.c.kind.in_([kind] if kind in KINDS else KINDS)]
    if site_id:
        scope.append(docs.c.site_id == site_id)
    if not user.is_admin:
        scope.append(docs.c.collaborative_id.in_(user.collaborative_ids or {-1}))
        scope.append(sa.or_(docs.c.site_only.is_(False), docs.c.site_id.in_(user.site_ids)))
    if db.engine.dialect.name == "sqlite":
        return _sqlite(words, scope, limit, offset)
    return _postgres(words, scope, limit, offset)


def _count_and_floor(matches: sa.Select, newest_first) -> tuple[int, int | None]:
    """How many rows `matches` (selecting document ids) has, counting no further than one
    past COUNT_CAP, and the lowest id among its newest RANK_WINDOW (by `newest_first`): one
    statement."""
    counted = sa.select(sa.func.count()).select_from(
        matches.limit(written_limit(COUNT_CAP + 1)).subquery())
    window = matches.order_by(newest_first).limit(written_limit(RANK_WINDOW)).subquery()
    floor = sa.select(sa.func.min(window.c[0]))
    return tuple(db.session.execute(
        sa.select(counted.scalar_subquery(), floor.scalar_subquery())).one())


def _sqlite(words, scope, limit, offset):
    docs = SearchDocument.__table__
    fts = sa.table("search_fts", sa.column("rowid"))
    # The full-text index leads, so a search reads only the documents that match, whatever
    # the other filters' indexes tempt the planner into.
    joined = LeadingJoin(fts, docs, docs.c.id == fts.c.rowid)

    def matching(query: str):
        match = sa.text("search_fts MATCH :query").bindparams(query=query)
        return match, sa.select(docs.c.id).select_from(joined).where(match, *scope)

    # Each word as typed, then as the start of longer words ("carbo" finds carbohydrate). A
    # word common enough to fill the ranking window as a whole word is taken as one: FTS5
    # merges every matching word's whole list of documents for a prefix (a word in 300,000
    # documents: 15 ms to count, 30 to rank), where a whole word is read newest first and
    # stops. Its matches are among the prefix's, so the count (capped) is the same.
    wholly = " ".join(f'"{w}"' for w in words)
    match, whole = matching(wholly)
    window = whole.order_by(fts.c.rowid.desc()).limit(written_limit(RANK_WINDOW)).subquery()
    found, floor = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(window.c[0])).select_from(window)).one()
    # bm25 is lower for better matches; a title match weighs five times a body match.
    order = sa.literal_column("bm25(search_fts, 5.0, 1.0)")
    if found == RANK_WINDOW > COUNT_CAP:
        total = COUNT_CAP + 1
        # bm25 weighs a word by how few documents hold it, which FTS5 counts over the word's
        # whole list (30 ms for one in 300,000 documents); for a word this common the weight
        # is next to nothing. Its newest matches are ranked by where they hold it: title
        # matches first.
        titles = sa.table("search_fts", sa.column("rowid")).alias("titles")
        titled = sa.select(titles.c.rowid).where(
            sa.text("titles.search_fts MATCH :titled").bindparams(titled=f"title : ({wholly})"),
            titles.c.rowid >= floor)
        order = sa.case((fts.c.rowid.in_(titled), 0), else_=1)
    else:
        match, prefixed = matching(" ".join(f'"{w}"*' for w in words))
        total, floor = _count_and_floor(prefixed, fts.c.rowid.desc())
    if not total:
        return [], 0
    rows = db.session.execute(
        sa.select(
            docs.c.kind, docs.c.object_id, docs.c.site_id,
            sa.literal_column("highlight(search_fts, 0, char(2), char(3))").label("title"),
            sa.literal_column("snippet(search_fts, 1, char(2), char(3), '…', 24)").label("snip"),
        ).select_from(joined).where(match, *scope, fts.c.rowid >= floor)
        .order_by(order, docs.c.updated_at.desc())
        .limit(limit).offset(offset)
    )
    return [_hit(r) for r in rows], total


def _postgres(words, scope, limit, offset):
    docs = SearchDocument.__table__
    query = sa.func.to_tsquery("english", " & ".join(f"{w}:*" for w in words))
    vector = sa.literal_column("search_document.search_vector")
    matched = vector.op("@@")(query)
    total, floor = _count_and_floor(sa.select(docs.c.id).where(matched, *scope),
                                    docs.c.id.desc())
    if not total:
        return [], 0
    options = "StartSel=" + MARK_START + ", StopSel=" + MARK_END
    rows = db.session.execute(
        sa.select(
            docs.c.kind, docs.c.object_id, docs.c.site_id,
            sa.func.ts_headline("english", docs.c.title, query,
                                options + ", HighlightAll=true").label("title"),
            sa.func.ts_headline("english", docs.c.body, query,
                                options + ", MaxWords=30, MinWords=12").label("snip"),
        ).where(matched, *scope, docs.c.id >= floor)
        .order_by(sa.func.ts_rank(vector, query).desc(), docs.c.updated_at.desc())
        .limit(limit).offset(offset)
    )
    return [_hit(r) for r in rows], total


def _marked(text: str | None) -> Markup:
    escaped = html.escape(text or "", quote=False)
    return Markup(escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def _hit(row) -> Hit:
    return Hit(kind=row.kind, object_id=row.object_id, site_id=row.site_id,
               title=_marked(row.title), snippet=_marked(row.snip))
