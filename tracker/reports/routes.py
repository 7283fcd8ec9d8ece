"""Reports for the collaborative rhythm: the action-period report (page, print and CSV), a
site's storyboard for the learning session, and the faculty dashboard."""

from flask import Response, render_template, request
from flask_login import current_user, login_required
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from ..core import audit
from ..core.args import arg_id
from ..core.exports import csv_text, download_name
from ..core.paging import list_page, rows_page
from ..core.queries import faculty_sites
from ..core.versions import kept_body, version_first
from ..cycles.loaders import get_cycle_or_404
from ..cycles.services import ramp_chain
from ..events.periods import ActionPeriod, all_periods, current_period, running
from ..extensions import db
from ..feedback.review import asked_of
from ..models import Collaborative, Decision, Site, utcnow
from ..sites.loaders import (
    collaborative_choices,
    get_collaborative_or_404,
    get_site_or_404,
    network_filter,
)
from ..sustain import rollups as sustain_rollups
from . import bp, dashboard, figures, slides, storyboard

REPORT_SITES_PER_PAGE = 50  # the action-period report on screen (its CSV has every site)
CSV_HEADER = (
    "site", "organisation", "cycles_started", "cycles_completed", "ramps_extended",
    "ideas_adopted", "ideas_adapted", "ideas_abandoned", "periods_of_data_submitted",
    "periods_of_data_missing", "main_measure_latest_signal", "feedback_given",
    "feedback_received", "professions_contributing",
)


def _period(collaborative: Collaborative, now) -> tuple[ActionPeriod, list[ActionPeriod]]:
    periods = all_periods(collaborative)
    chosen = request.args.get("period")
    period = next((p for p in periods if p.key == chosen), None)
    return period or running(periods, now), periods


def _sites(collaborative: Collaborative, condition=None) -> list[Site]:
    """The collaborative's sites, those meeting `condition` (on Site) when one is given."""
    return list(db.session.scalars(_site_query(collaborative, condition).order_by(Site.name)))


SITE_COLUMNS = (Site.id, Site.name, Site.collaborative_id, Site.network_id, Site.created_at)


def _site_query(collaborative: Collaborative, condition=None, *columns) -> Select:
    query = db.select(*(columns or (Site,))).where(Site.collaborative_id == collaborative.id)
    return query if condition is None else query.where(condition)


@bp.get("/action-period")
@version_first
@login_required
def action_period():
    """Per site, what happened in an action period; printable, or as CSV with format=csv."""
    collaborative = get_collaborative_or_404(arg_id(request.args, "collaborative"))
    now = utcnow()
    period, periods = _period(collaborative, now)
    networks, network = network_filter({collaborative.id})
    in_network = Site.network_id == network.id if network else None
    if request.args.get("format") == "csv":  # every site
        sites = _sites(collaborative, in_network)
        return _csv(collaborative, period, figures.site_figures(sites, period, now),
                    network)

    def made() -> str:
        # On screen, a page of sites at a time: the report's cost stays that of one page
        # however many sites the collaborative has. Only the page's sites are read, and of
        # them the columns the page reads (1,500 site objects took longer to build than the
        # page's figures; 1,500 rows, read to show 50, grew the page by half at that size).
        page = _sites_page(collaborative, in_network, REPORT_SITES_PER_PAGE)
        return render_template(
            "reports/_action_period_body.html", collaborative=collaborative, period=period,
            periods=periods, page=page, rows=figures.site_figures(page.items, period, now),
            measure=figures.main_measure(collaborative.id), decisions=list(Decision),
            choices=collaborative_choices(), networks=networks, network=network,
            **sustain_rollups.report(_site_query(collaborative, in_network, Site.id), now,
                                     networks))

    return render_template("reports/action_period.html",
                           body=kept_body("action_period_reports", now, made))


def _sites_page(collaborative: Collaborative, condition, per_page: int) -> Pagination:
    """The page of the collaborative's sites (those meeting `condition`) asked for, by name:
    rows of SITE_COLUMNS."""
    return rows_page(_site_query(collaborative, condition, *SITE_COLUMNS)
                     .order_by(Site.name, Site.id), request.args, per_page=per_page)


def _csv(collaborative: Collaborative, period: ActionPeriod, rows,
         network: Collaborative | None) -> Response:
    body = csv_text(CSV_HEADER, [[
        r.site.name, r.site.organisation, r.started, r.completed, r.ramps_extended,
        *(r.decisions[d] for d in Decision), r.periods_submitted, r.periods_missing,
        r.signal, r.feedback_given, r.feedback_received,
        "; ".join(f"{label} ({n})" for label, n in r.professions),
    ] for r in rows])
    name = f"action-period-{period.start:%Y-%m-%d}-collaborative-{collaborative.id}"
    name += f"-network-{network.id}.csv" if network else ".csv"
    audit.exported("action_period_report", obj=collaborative, detail=name)
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/sites/<id:site_id>/storyboard")
@version_first
@login_required
def site_storyboard(site_id: int):
    """A site's one-page storyboard, printable to A4. Kept under the site's own version: it
    shows its cycles, chart and photos, and what is shared (the aim, drivers, ideas)."""
    site = get_site_or_404(site_id)
    return render_template("reports/storyboard.html", site=site, body=kept_body(
        "storyboards", utcnow(), lambda: render_template(
            "reports/_storyboard_body.html", board=storyboard.build(site, current_user)),
        sites=(site.id,)))


@bp.get("/sites/<id:site_id>/storyboard.pptx", defaults={"kind": "pptx"})
@bp.get("/sites/<id:site_id>/storyboard.pdf", defaults={"kind": "pdf"})
@login_required
def storyboard_slides(site_id: int, kind: str):
    """The storyboard as learning-session slides: PowerPoint or PDF."""
    site = get_site_or_404(site_id)
    today = utcnow().date()
    deck = slides.storyboard_slides(storyboard.build(site, current_user), today)
    name = download_name("storyboard", site.name, f"{today:%Y-%m-%d}")
    return _slides_file(deck, kind, name, f"{site.name}: storyboard", obj=site, site_id=site.id)


@bp.get("/cycles/<id:cycle_id>/ramp.pptx", defaults={"kind": "pptx"})
@bp.get("/cycles/<id:cycle_id>/ramp.pdf", defaults={"kind": "pdf"})
@login_required
def ramp_slides(cycle_id: int, kind: str):
    """One ramp as learning-session slides: PowerPoint or PDF (whoever may see the ramp)."""
    cycle = get_cycle_or_404(cycle_id)
    today = utcnow().date()
    chain = ramp_chain(cycle, current_user)
    deck = slides.ramp_slides(cycle, chain, current_user, today)
    idea = cycle.idea.title if cycle.idea else cycle.title
    name = download_name("ramp", cycle.site.name, idea, f"{today:%Y-%m-%d}")
    return _slides_file(deck, kind, name, f"{cycle.site.name}: ramp", obj=cycle,
                        site_id=cycle.site_id)


def _slides_file(deck, kind: str, name: str, title: str, *, obj, site_id: int) -> Response:
    """The deck as a download, its export audited."""
    body = slides.to_pptx(deck, title) if kind == "pptx" else slides.to_pdf(deck, title)
    # A header holds Latin-1 only: the name keeps its ASCII letters, digits and dashes.
    name = (name.encode("ascii", "ignore").decode().strip("-") or "slides") + f".{kind}"
    audit.exported(f"slides_{kind}", obj=obj, detail=name, site_id=site_id)
    return Response(body, mimetype=slides.PPTX_TYPE if kind == "pptx" else slides.PDF_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _faculty_scope() -> tuple:
    """The faculty pages' collaborative, now, the action period, networks, the condition on
    their sites and a select of the sites' ids: regional faculty see their network's sites;
    anyone may narrow to one network."""
    # has_faculty holds for admins too.
    collaborative = get_collaborative_or_404(arg_id(request.args, "collaborative"),
                                             may=Collaborative.has_faculty)
    now = utcnow()
    period = current_period(collaborative, now)
    networks, network = network_filter({collaborative.id}, faculty=True)
    scope = faculty_sites(current_user, network.id if network else None)
    ids = _site_query(collaborative, scope, Site.id)
    return collaborative, now, period, networks, network, scope, ids


@bp.get("/faculty")
@version_first
@login_required
def faculty_dashboard():
    """Faculty only: sites needing support (most urgent first), the review queue, and per site,
    a page of sites at a time (by name): activity per week, the main measure, each team's mix
    and balance; the progress scores over all the sites."""
    collaborative, now, period, networks, network, scope, ids = _faculty_scope()

    def made() -> str:
        # A page of the sites, the columns the page reads: building 1,500 site objects cost
        # more than the queries about them, and reading 1,500 rows to show 25 grew with them.
        page = _sites_page(collaborative, scope, dashboard.PAGE_SIZE)
        # First: it reads the main measure with its summaries at the page's sites in one
        # query, where the reasons for support would have read the measure alone.
        overview = dashboard.overview(collaborative, page.items, current_user, now,
                                      asked_of(current_user, scope,
                                               narrowed=network is not None))
        needing = dashboard.support({collaborative.id}, ids, period, now)
        return render_template(
            "reports/_faculty_body.html", collaborative=collaborative, period=period,
            rows=dashboard.build(page.items, now), page=page,
            weeks=dashboard.week_starts(now.date()), heat=dashboard.heat,
            heat_words=dashboard.heat_words,
            choices=collaborative_choices(Collaborative.has_faculty), networks=networks,
            network=network, needing=needing, support_shown=dashboard.SUPPORT_SHOWN,
            **sustain_rollups.faculty(ids, period, now, page.items, networks), **overview)

    return render_template("reports/faculty.html",
                           body=kept_body("faculty_dashboards", now, made))


@bp.get("/faculty/support")
@version_first  # the ranking is kept (dashboard.support)
@login_required
def faculty_support():
    """Faculty only: every site that may need support, most urgent first, a page at a time."""
    collaborative, now, period, networks, network, _, ids = _faculty_scope()
    needing = dashboard.support({collaborative.id}, ids, period, now)
    return render_template("reports/faculty_support.html", collaborative=collaborative,
                           period=period, networks=networks, network=network,
                           page=list_page(needing, request.args,
                                          per_page=dashboard.SUPPORT_PAGE_SIZE))
