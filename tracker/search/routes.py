"""One search box for ideas, cycles and comments."""

from flask import render_template, request
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from ..core.paging import ResultPage, page_number
from ..core.queries import reader_key, sites_visible_to
from ..core.versions import kept_body, version_first
from ..extensions import db
from ..models import ChangeIdea, Comment, Cycle, utcnow
from ..sites.picker import pick_site
from . import bp, engine

PER_PAGE = 20
MAX_QUERY = 200


@bp.get("/")
@version_first
@login_required
def index():
    """Ranked results with the matching words highlighted, filtered by kind and site. Kept
    until anything is written (versions.kept_body) for everyone who may see the same (the
    reader's collaboratives and sites): a common word's ranking and count were most of the
    page, and a team asks the same searches."""
    def made() -> str:
        text = request.args.get("q", "")
        kind = request.args.get("kind") if request.args.get("kind") in engine.KINDS else None
        site = pick_site(sites_visible_to(current_user, include_archived=True),
                         request.args.get("site"))
        page = page_number(request.args)
        message = None
        if len(text) > MAX_QUERY:
            message = f"Only the first {MAX_QUERY} characters of your search were used."
            text = text[:MAX_QUERY]
        if text.strip() and not engine.terms(text):
            message = "Type some words or numbers to search for."
        hits, total = engine.search(text, user=current_user, kind=kind, site_id=site.filter_id,
                                    limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
        return render_template(
            "search/_body.html", text=text, kind=kind, site=site, message=message,
            count_cap=engine.COUNT_CAP, rank_window=engine.RANK_WINDOW,
            page=ResultPage(_with_objects(hits), page=page, per_page=PER_PAGE, total=total))

    return render_template("search/index.html", body=kept_body(
        "search_pages", utcnow(), made, reader=reader_key(current_user)))


def _with_objects(hits: list[engine.Hit]) -> list[tuple[engine.Hit, object, str]]:
    """Each hit with the object it names (and, for a comment, what it is on), in one query per
    kind found (none for a kind with no hit on the page)."""
    ids = {kind: [h.object_id for h in hits if h.kind == kind] for kind in engine.KINDS}
    queries = {
        "idea": lambda found: db.select(ChangeIdea).options(
            joinedload(ChangeIdea.origin_site)).where(ChangeIdea.id.in_(found)),
        "cycle": lambda found: db.select(Cycle).options(
            joinedload(Cycle.site)).where(Cycle.id.in_(found)),
        "comment": lambda found: db.select(Comment).options(
            joinedload(Comment.author)).where(Comment.id.in_(found)),
    }
    objects = {(kind, o.id): o for kind, query in queries.items() if ids[kind]
               for o in db.session.scalars(query(ids[kind]))}
    comments = [o for (kind, _), o in objects.items() if kind == "comment"]
    parents = {}
    for kind, model, on in (("cycle", Cycle, {c.cycle_id for c in comments if c.cycle_id}),
                            ("idea", ChangeIdea, {c.idea_id for c in comments if c.idea_id})):
        if on:
            parents |= {(kind, i): t for i, t in db.session.execute(
                db.select(model.id, model.title).where(model.id.in_(on)))}
    return [
        (h, objects[(h.kind, h.object_id)], _comment_on(objects[(h.kind, h.object_id)], parents))
        for h in hits if (h.kind, h.object_id) in objects
    ]


def _comment_on(obj, parents: dict) -> str:
    """For a comment: the title of the cycle or idea it is on."""
    if not isinstance(obj, Comment):
        return ""
    return parents.get(("cycle", obj.cycle_id) if obj.cycle_id else ("idea", obj.idea_id), "")


