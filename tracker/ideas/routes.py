"""The idea library, each idea's evidence, "try this at our site", follow, tags."""


import sqlalchemy as sa
from flask import (
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectChoice

from ..attachments.panel import attachments_panel
from ..core.args import arg_id
from ..core.forms import ConfirmForm
from ..core.paging import page_number, paginate
from ..core.queries import reader_key, sites_visible_to
from ..core.versions import kept_body, kept_until_written, version_first
from ..cycles.loaders import get_cycle_or_404
from ..extensions import db
from ..feedback.panel import comments_context
from ..models import ChangeIdea, Collaborative, Cycle, Driver, IdeaFollow, Site, Tag, User, utcnow
from ..sites.loaders import collaborative_choices, get_collaborative_or_404
from ..sites.picker import pick_site
from ..sustain.watch import sustained_sites_query
from . import bp, services
from .forms import IdeaForm, TrySiteForm, fill_idea_form, idea_values
from .loaders import get_idea_or_404
from .queries import (
    STATUS_LABELS,
    evidence_counts,
    evidence_query,
    first_measures,
    library,
    recent_cycles,
    site_status,
)

PER_PAGE = 24
CYCLES_PER_SITE = 5
SITES_PER_PAGE = 25  # of an idea's evidence
FILTER_ARGS = ("driver", "tag", "site", "status", "where", "sort")
SORTS = {"newest": "Newest", "tested": "Most tested", "adopted": "Most adopted",
         "discussed": "Most discussed", "title": "Title"}


@bp.get("/")
@version_first
@login_required
def index():
    """Every site's change ideas: filter, sort, page; cards that work on a phone. Kept until
    anything is written (versions.kept_body) for everyone who may see the same (the reader's
    collaboratives and sites: their sites' standing on each idea is shown)."""
    args = request.args
    filters = dict(driver_id=arg_id(args, "driver", note=True), tag=args.get("tag") or None,
                   status=args.get("status") or None, where=args.get("where", "any"),
                   sort=args.get("sort", "newest"))  # (a refused driver is noted each time)
    user = current_user

    def made() -> str:
        filters_html, filters["site_id"] = filter_panel(filters, args.get("site"), user)
        query, chosen = library(user, **filters)
        query = query.options(joinedload(ChangeIdea.driver), joinedload(ChangeIdea.origin_site),
                              selectinload(ChangeIdea.tags))
        page = paginate(query, args, per_page=PER_PAGE, rows=True, counted=chosen)
        rows = page.items
        status_sq = site_status(user)
        mine = dict(db.session.execute(sa.select(status_sq.c.idea_id, status_sq.c.status).where(
            status_sq.c.site_id.in_(user.site_ids),
            status_sq.c.idea_id.in_([r[0].id for r in rows]))).all())
        return render_template(
            "ideas/_library_body.html", rows=rows, page=page, filters_html=filters_html,
            mine=mine, statuses=STATUS_LABELS,
            args={k: v for k, v in args.items() if k in FILTER_ARGS})

    return render_template("ideas/index.html", body=kept_body(
        "idea_libraries", utcnow(), made, reader=reader_key(user)))


FILTER_PANELS_KEPT = 256  # per app process: the most recent (choices, filters) combinations


def filter_panel(filters: dict, site_text: str | None, user: User) -> tuple[Markup, int | None]:
    """The library's filter form, drawn, and the site it filters by (as the site picker reads
    `site_text`); kept until anything is written for readers with the same choices (the
    drivers, tags and sites of the same collaboratives). Its choices (150 sites, the drivers,
    the tags) and their drawing were about a sixth of the library's time."""
    scope = (user.is_admin, tuple(sorted(user.collaborative_ids)))

    def make() -> tuple[Markup, int | None]:
        site = pick_site(sites_visible_to(user, include_archived=True), site_text)
        return Markup(render_template(
            "ideas/_filters.html", filters={**filters, "site_id": site.filter_id}, site=site,
            drivers=_driver_choices(user), tags=_tag_names(user), sorts=SORTS,
            statuses=STATUS_LABELS)), site.filter_id

    return kept_until_written("idea_filter_panels", FILTER_PANELS_KEPT,
                              (scope, tuple(sorted(filters.items())), site_text), make,
                              packed=True)


def _driver_choices(user: User) -> list[tuple[int, str, bool]]:
    drivers = db.session.execute(
        db.select(Driver.id, Driver.title, Driver.parent_id).where(
            Driver.collaborative_id.in_(user.collaborative_ids),
            Driver.deleted_at.is_(None)).order_by(Driver.position, Driver.id)).all()
    primaries = [d for d in drivers if d.parent_id is None]
    ordered = []
    for primary in primaries:
        ordered.append((primary.id, primary.title, True))
        ordered += [(d.id, d.title, False) for d in drivers if d.parent_id == primary.id]
    return ordered


def _tag_names(user: User) -> list[str]:
    return list(db.session.scalars(db.select(Tag.name).where(
        Tag.collaborative_id.in_(user.collaborative_ids)).order_by(Tag.name)))


@bp.get("/<id:idea_id>")
@version_first  # the evidence kept shows sites' names loaded with the reader (login loader)
@login_required
def detail(idea_id: int):
    """The idea's living evidence: which sites tested it, how it went, how it travelled. Kept
    for its reader until anything is written (versions.kept_body): whether they follow it, may
    edit it or try it, and their comments' buttons are their own. Its evidence, the most of
    it, is kept apart for everyone who sees the same (evidence_panel)."""
    idea = get_idea_or_404(idea_id)

    def made() -> str:
        followers, mine = db.session.execute(db.select(
            db.func.count(IdeaFollow.id),
            db.func.coalesce(db.func.sum(sa.case((IdeaFollow.user_id == current_user.id, 1),
                                                 else_=0)), 0),
        ).where(IdeaFollow.idea_id == idea.id)).one()
        return render_template(
            "ideas/_detail_body.html", idea=idea, evidence=evidence_panel(idea, current_user),
            following=mine > 0, can_edit=idea.can_edit(current_user),
            try_form=_try_form(idea.collaborative_id), followers=followers,
            **comments_context(idea, current_user), **attachments_panel(idea, current_user),
        )

    return render_template("ideas/detail.html", idea=idea,
                           body=kept_body("idea_pages", utcnow(), made))


EVIDENCE_KEPT = 256  # per app process: the most read ideas' pages, per set of readers' sites


def evidence_panel(idea: ChangeIdea, user: User) -> Markup:
    """The idea's evidence (its roll-up, a page of the sites that tested it with each one's
    latest cycles), drawn, and kept until anything is written for everyone who sees the same
    cycles: those of the same collaboratives and sites (a site's team). It was most of the
    page's time: the roll-up, the page of sites, their cycles, their charts, the sustained
    count, and drawing them. Nothing of the idea but its id is read or shown here."""
    number = page_number(request.args)

    def make() -> Markup:
        # The sites a page, in the order they first tested it; the roll-up counts every site.
        tested, counts = evidence_counts(idea, user)
        spread = paginate(evidence_query(idea, user), {"page": number},
                          per_page=SITES_PER_PAGE, rows=True, total=tested)
        # Each site's latest cycles, not every one (the roll-up counts them all).
        cycles = recent_cycles(idea, user, per_site=CYCLES_PER_SITE,
                               site_ids=[row.site_id for row in spread.items])
        by_site: dict[int, list[Cycle]] = {}
        for cycle in cycles:
            by_site.setdefault(cycle.site_id, []).append(cycle)
        return Markup(render_template(
            "ideas/_evidence.html", idea_id=idea.id, spread=spread, tested=tested,
            sites={c.site_id: c.site for c in cycles}, by_site=by_site, counts=counts,
            # Each site's latest cycle links to the chart of its first measure.
            charts=first_measures([site_cycles[-1].id for site_cycles in by_site.values()]),
            sustained=db.session.scalar(sustained_sites_query(idea.id)) or 0))

    return kept_until_written("idea_evidence", EVIDENCE_KEPT,
                              (idea.id, reader_key(user), number), make, packed=True)


def _try_form(collaborative_id: int) -> TrySiteForm | None:
    """Which of the user's sites may try an idea: those in the idea's collaborative."""
    sites = sorted((m.site for m in current_user.memberships
                    if m.site.collaborative_id == collaborative_id and not m.site.is_archived),
                   key=lambda s: s.name)
    if not sites:
        return None
    form = TrySiteForm()
    form.site_id.choices = [SelectChoice(s.id, s.name) for s in sites]
    return form


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    """A new change idea from the user's site (similar ideas are shown first)."""
    collaborative = get_collaborative_or_404(arg_id(request.args, "collaborative"),
                                             may=Collaborative.can_add_idea)
    collaborative_id = collaborative.id
    form = IdeaForm()
    fill_idea_form(form, collaborative_id)
    similar = []
    if form.validate_on_submit():
        similar = services.similar_ideas(form.title.data, {collaborative_id})
        if not similar or form.create_anyway.data:
            idea = services.add_idea(collaborative, by=current_user, **idea_values(form),
                                     tags=services.parse_tags(form.tags.data))
            db.session.commit()
            flash("Idea saved. Other sites can find it in the library now.", "success")
            return redirect(url_for("ideas.detail", idea_id=idea.id))
    return render_template("ideas/form.html", form=form, idea=None, similar=similar,
                           tags=_tag_names(current_user), collaborative=collaborative,
                           choices=collaborative_choices(Collaborative.can_add_idea))


@bp.route("/<id:idea_id>/edit", methods=["GET", "POST"])
@login_required
def edit(idea_id: int):
    """Edit an idea (its site's team and faculty); moving it to another driver keeps links."""
    idea = get_idea_or_404(idea_id, edit=True)
    form = IdeaForm(obj=idea) if request.method == "GET" else IdeaForm()
    fill_idea_form(form, idea.collaborative_id)
    if request.method == "GET":
        form.driver_id.data = str(idea.driver_id or "")
        form.tags.data = ", ".join(t.name for t in idea.tags)
        form.stamp.data = idea.updated_at.isoformat()
    theirs = None
    if form.validate_on_submit():
        if services.save_idea(idea, stamp=form.stamp.data, **idea_values(form),
                              tags=services.parse_tags(form.tags.data)):
            db.session.commit()
            flash("Idea saved.", "success")
            return redirect(url_for("ideas.detail", idea_id=idea.id))
        # Saved by someone else since this form was opened: show theirs beside what was
        # typed; saving again (now knowingly) keeps this version.
        theirs, form.stamp.data = idea, idea.updated_at.isoformat()
    return render_template("ideas/form.html", form=form, idea=idea, similar=[],
                           tags=_tag_names(current_user), theirs=theirs), 409 if theirs else 200


@bp.post("/<id:idea_id>/follow")
@login_required
def follow(idea_id: int):
    """Follow an idea (or stop): hear when a site tests it, decides on it or discusses it."""
    idea = get_idea_or_404(idea_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    now_following = services.toggle_follow(idea, current_user)
    db.session.commit()
    flash("You follow this idea." if now_following else "You no longer follow this idea.",
          "success")
    return redirect(url_for("ideas.detail", idea_id=idea.id))


def _site_for_try() -> Site:
    form = TrySiteForm()
    form.site_id.choices = [SelectChoice(m.site_id, m.site.name) for m in current_user.memberships]
    if not form.site_id.choices:
        abort(403)
    if not form.validate_on_submit():
        abort(400)
    return db.session.get(Site, form.site_id.data)


@bp.post("/<id:idea_id>/try")
@login_required
def try_idea(idea_id: int):
    """Start a draft cycle at the user's site testing this idea."""
    idea = get_idea_or_404(idea_id)
    site = _site_for_try()
    if site.collaborative_id != idea.collaborative_id:
        abort(403)
    cycle = services.try_at_site(idea, site, by=current_user)
    db.session.commit()
    flash(f"A draft cycle testing “{idea.title}” is ready at {site.name}. Plan it small.",
          "success")
    return redirect(url_for("cycles.edit", cycle_id=cycle.id))


@bp.post("/from-cycle/<id:cycle_id>/try")
@login_required
def try_cycle(cycle_id: int):
    """Reuse another site's cycle: a draft at the user's site, remembering where it came from."""
    source = get_cycle_or_404(cycle_id)
    site = _site_for_try()
    if site.collaborative_id != source.site.collaborative_id or source.idea is None:
        abort(403)
    cycle = services.try_at_site(source.idea, site, by=current_user, source=source)
    db.session.commit()
    flash(f"A draft cycle based on {source.site.name}'s test is ready at {site.name}.",
          "success")
    return redirect(url_for("cycles.edit", cycle_id=cycle.id))


@bp.get("/similar.json")
@login_required
def similar():
    """Ideas whose titles look like the one being typed (the duplicate guard)."""
    title = request.args.get("title", "")[:200]
    ideas = services.similar_ideas(title, current_user.collaborative_ids,
                                   exclude=arg_id(request.args, "exclude"))
    return jsonify([{"id": i.id, "title": i.title,
                     "url": url_for("ideas.detail", idea_id=i.id)} for i in ideas])


@bp.get("/tags.json")
@login_required
def tag_suggestions():
    """Existing tags starting with what is typed."""
    text = request.args.get("q", "").strip().lower()[:60]
    names = db.session.scalars(db.select(Tag.name).where(
        Tag.collaborative_id.in_(current_user.collaborative_ids),
        Tag.name.startswith(text, autoescape=True)).order_by(Tag.name).limit(10))
    return jsonify(list(names))
