"""Change ideas: the library (its filters, by cursor), an idea with the evidence roll-up its
page shows, and new ideas and edits for those the pages allow, through the idea feature's
loader, form, queries and services. An idea's ETag names the save it was read at; an edit
sends it back in If-Match and is refused (409, with theirs) when someone saved since."""

import hashlib
import re
from datetime import datetime, timedelta

from flask import request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from ...extensions import db
from ...ideas import services
from ...ideas.forms import IdeaForm, fill_idea_form, idea_values
from ...ideas.loaders import get_idea_or_404
from ...ideas.queries import decision_counts, evidence, library
from ...models import ChangeIdea, Collaborative
from ...sites.loaders import get_collaborative_or_404
from .. import bp
from ..inputs import paginate, validated
from ..problems import ApiProblem
from ..schemas import IdeaCreateSchema, IdeaDetail, IdeaFields, IdeaFilters, IdeaPage

EPOCH = datetime(1970, 1, 1)
ETAG = re.compile(r'"idea-(\d+)-(\d+)(?:-[0-9a-f]+)?"')
IF_MATCH = [{"in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"},
             "description": "The ETag of the idea as you read it"}]


class Extended:
    """An idea with figures beside it (the list's counts, the page's evidence)."""

    def __init__(self, idea: ChangeIdea, **extra):
        self._idea = idea
        self.__dict__.update(extra)

    def __getattr__(self, name):
        return getattr(self._idea, name)


def _saved_at(idea: ChangeIdea) -> int:
    return (idea.updated_at - EPOCH) // timedelta(microseconds=1)


def _with_evidence(idea: ChangeIdea) -> tuple[Extended, dict[str, str]]:
    """The idea as its page rolls up its evidence, and its ETag: the save it is at, and a
    digest of the roll-up, so a new test elsewhere changes the ETag too."""
    found = evidence(idea, current_user)
    rows = [dict(r._mapping) for r in found]
    detail = Extended(idea, evidence=rows, decisions=decision_counts(found))
    digest = hashlib.sha256(repr((rows, [t.name for t in idea.tags])).encode()).hexdigest()[:12]
    return detail, {"ETag": f'"idea-{idea.id}-{_saved_at(idea)}-{digest}"'}


@bp.get("/ideas")
@bp.doc(tags=["ideas"])
@bp.arguments(IdeaFilters, location="query")
@bp.response(200, IdeaPage)
def list_ideas(args: dict):
    """The change idea library with its figures and filters, oldest first; follow
    `next_cursor`."""
    query, _ = library(current_user, driver_id=args.get("driver"), tag=args.get("tag"),
                       site_id=args.get("site"), status=args.get("status"),
                       where=args.get("where", "any"))
    query = query.options(
        joinedload(ChangeIdea.driver), joinedload(ChangeIdea.origin_site),
        selectinload(ChangeIdea.tags))
    page = paginate(query, ChangeIdea.id, limit=args["limit"], cursor=args.get("cursor"),
                    rows=True)
    page["items"] = [Extended(idea, sites_tested=tested, sites_adopted=adopted,
                              comments=comments)
                     for idea, tested, adopted, comments in page["items"]]
    return page


@bp.get("/ideas/<id:idea_id>")
@bp.doc(tags=["ideas"])
@bp.response(200, IdeaDetail)
def get_idea(idea_id: int):
    """One idea and its living evidence, by site, as its page shows it; the ETag names the
    version to send back in If-Match."""
    detail, headers = _with_evidence(get_idea_or_404(idea_id))
    return detail, 200, headers


@bp.post("/ideas")
@bp.doc(tags=["ideas"])
@bp.arguments(IdeaCreateSchema)
@bp.response(201, IdeaDetail)
def create_idea(data: dict):
    """Add an idea to a collaborative's library (its site teams and faculty), as the page
    does: similar titles are named first (a 422) unless `create_anyway` is true."""
    collaborative = get_collaborative_or_404(data.pop("collaborative_id", None),
                                             may=Collaborative.can_add_idea)
    form = validated(IdeaForm, _form_values(data),
                     prepare=lambda f: fill_idea_form(f, collaborative.id))
    similar = services.similar_ideas(form.title.data, {collaborative.id})
    if similar and not form.create_anyway.data:
        raise ApiProblem(422, "Similar ideas exist: test one of them, or send again with "
                              "`create_anyway: true`.",
                         errors={"title": ["Similar ideas exist (see `similar`)."]},
                         similar=[{"id": i.id, "title": i.title} for i in similar])
    idea = services.add_idea(collaborative, by=current_user, **idea_values(form),
                             tags=services.parse_tags(form.tags.data))
    db.session.commit()
    detail, headers = _with_evidence(idea)
    return detail, 201, {**headers, "Location": url_for("api.get_idea", idea_id=idea.id)}


@bp.route("/ideas/<id:idea_id>", methods=["PATCH"])
@bp.doc(tags=["ideas"], parameters=IF_MATCH)
@bp.arguments(IdeaFields)
@bp.response(200, IdeaDetail)
def update_idea(patch: dict, idea_id: int):
    """Change an idea (its site's team and faculty). Fields left out keep their values; if
    someone saved the idea since the version you name, nothing is saved: 409 with theirs."""
    idea = get_idea_or_404(idea_id, edit=True)
    stamp = _if_match(idea)
    current = {"title": idea.title, "description": idea.description,
               "driver_id": idea.driver_id, "tags": [t.name for t in idea.tags]}
    form = validated(IdeaForm, _form_values({**current, **patch, "stamp": stamp}),
                     prepare=lambda f: fill_idea_form(f, idea.collaborative_id))
    saved = services.save_idea(idea, stamp=form.stamp.data, **idea_values(form),
                               tags=services.parse_tags(form.tags.data))
    if not saved:
        db.session.rollback()
        idea = get_idea_or_404(idea_id)
        _, now = _with_evidence(idea)
        raise ApiProblem(409, "Someone saved this idea since your version: nothing was saved. "
                              "Compare with `theirs`, then send again with the current ETag.",
                         theirs={"title": idea.title, "description": idea.description,
                                 "driver_id": idea.driver_id,
                                 "tags": [t.name for t in idea.tags]},
                         your_version=request.headers.get("If-Match"),
                         current_version=now["ETag"])
    db.session.commit()
    detail, headers = _with_evidence(idea)
    return detail, 200, headers


def _form_values(data: dict) -> dict:
    """JSON as the idea form's fields: tags as the comma list the page types."""
    values = dict(data)
    if "tags" in values:
        values["tags"] = ", ".join(values["tags"] or [])
    return values


def _if_match(idea: ChangeIdea) -> str:
    """The save the client's If-Match names, as the edit form's stamp: 428 when missing, 412
    when it names no save of this idea."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise ApiProblem(428, "Send the idea's ETag in If-Match, so a change saved since you "
                              "read it is never overwritten.")
    if header == "*":
        return idea.updated_at.isoformat()
    match = ETAG.search(header)
    if match and int(match.group(1)) == idea.id and len(match.group(2)) < 17:
        saved_at = EPOCH + timedelta(microseconds=int(match.group(2)))
        if saved_at <= idea.updated_at:
            return saved_at.isoformat()
    raise ApiProblem(412, "If-Match does not name a version of this idea: read it again for "
                          "its ETag.")
