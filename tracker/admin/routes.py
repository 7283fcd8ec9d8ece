"""The admin area: collaboratives, their regional networks and sites."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..core.args import parse_id
from ..core.forms import ConfirmForm
from ..events.periods import planned_periods
from ..extensions import db
from ..models import Collaborative, Measure, PlannedPeriod
from ..sites.loaders import get_collaborative_or_404, get_network_or_404, get_site_or_404
from . import bp, queries, services
from .forms import (
    EditCollaborativeForm,
    NetworkForm,
    NewCollaborativeForm,
    PeriodForm,
    SiteEditForm,
    SiteForm,
)


def _refuse(form, error: services.AdminError):
    """Put the refusal next to its field and undo whatever the request had flushed."""
    db.session.rollback()
    getattr(form, error.field).errors.append(str(error))


@bp.get("/")
@login_required
def index():
    """Every collaborative with its networks and live site counts (admins)."""
    if not current_user.is_admin:
        abort(403)
    collaboratives = db.session.scalars(queries.national_collaboratives()).all()
    return render_template("admin/index.html", collaboratives=collaboratives,
                           site_counts=queries.live_site_counts())


@bp.route("/collaboratives/new", methods=["GET", "POST"])
@login_required
def create_collaborative():
    """Start a new collaborative (admins)."""
    if not current_user.is_admin:
        abort(403)
    form = NewCollaborativeForm()
    sources = db.session.scalars(queries.measure_set_sources()).all()
    form.measures_from.choices = [("", "Start with no measures")] + [
        (str(c.id), f"Copy the core measures of {c.name}") for c in sources]
    if form.validate_on_submit():
        try:
            collaborative = services.create_collaborative(
                form.name.data, form.aim.data, form.starts_on.data, form.ends_on.data,
                by=current_user, measures_from=db.session.get(Collaborative,
                                                               form.measures_from.data or 0))
        except services.AdminError as error:
            _refuse(form, error)
        else:
            db.session.commit()
            flash(f"Created {collaborative.name}. Add its regional networks and sites.", "success")
            return redirect(url_for("admin.collaborative", collaborative_id=collaborative.id))
    return render_template("admin/collaborative_form.html", form=form, collaborative=None)


@bp.get("/collaboratives/<id:collaborative_id>")
@login_required
def collaborative(collaborative_id: int):
    """A collaborative's networks and sites, with what the user may change."""
    collaborative = get_collaborative_or_404(collaborative_id,
                                             may=Collaborative.can_manage_some_part)
    sites = db.session.scalars(queries.sites_of(collaborative)).all()
    return render_template(
        "admin/collaborative.html", collaborative=collaborative, sites=sites,
        periods=db.session.scalars(planned_periods(collaborative.id)).all(),
        removed_periods=db.session.scalars(planned_periods(collaborative.id, removed=True)
                                           ).all(),
        networks=collaborative.networks,
        networks_by_id={n.id: n for n in collaborative.networks},
        can_edit=collaborative.can_edit(current_user),
        can_manage=collaborative.can_manage(current_user),
        manageable={n.id for n in collaborative.networks if n.can_manage(current_user)},
    )


@bp.route("/collaboratives/<id:collaborative_id>/edit", methods=["GET", "POST"])
@login_required
def update_collaborative(collaborative_id: int):
    """Change a collaborative's name, aim, the aim's measure and target, and dates (admins)."""
    collaborative = get_collaborative_or_404(collaborative_id, may=Collaborative.can_edit)
    form = EditCollaborativeForm(obj=collaborative)
    measures = db.session.scalars(queries.core_measures_of(collaborative)).all()
    form.aim_measure_id.choices = [("", "Not chosen yet")] + [
        (str(m.id), m.name) for m in measures]
    if form.validate_on_submit():
        try:
            services.update_collaborative(collaborative, form.name.data, form.aim.data,
                                          form.starts_on.data, form.ends_on.data,
                                          by=current_user)
            services.set_aim_numbers(
                collaborative, db.session.get(Measure, form.aim_measure_id.data or 0),
                form.aim_target.data, form.aim_target_on.data, by=current_user)
        except services.AdminError as error:
            _refuse(form, error)
        else:
            db.session.commit()
            flash("Collaborative saved.", "success")
            return redirect(url_for("admin.collaborative", collaborative_id=collaborative.id))
    return render_template("admin/collaborative_form.html", form=form,
                           collaborative=collaborative)


@bp.post("/collaboratives/<id:collaborative_id>/archive")
@login_required
def archive_collaborative(collaborative_id: int):
    """Archive a collaborative (admins): its work stays readable."""
    collaborative = get_collaborative_or_404(collaborative_id, may=Collaborative.can_edit)
    if ConfirmForm().validate_on_submit():
        services.archive(collaborative, by=current_user)
        db.session.commit()
        flash(f"Archived {collaborative.name}.", "success")
    return redirect(url_for("admin.index"))


@bp.route("/collaboratives/<id:collaborative_id>/networks/new", methods=["GET", "POST"])
@login_required
def create_network(collaborative_id: int):
    """Add a regional network (admins and the collaborative's faculty)."""
    collaborative = get_collaborative_or_404(collaborative_id, may=Collaborative.can_manage)
    form = NetworkForm()
    if form.validate_on_submit():
        try:
            network = services.create_network(collaborative, form.name.data, by=current_user)
        except services.AdminError as error:
            _refuse(form, error)
        else:
            db.session.commit()
            flash(f"Added the network {network.name}.", "success")
            return redirect(url_for("admin.collaborative", collaborative_id=collaborative.id))
    return render_template("admin/network_form.html", form=form, collaborative=collaborative,
                           network=None)


@bp.route("/networks/<id:network_id>/edit", methods=["GET", "POST"])
@login_required
def update_network(network_id: int):
    """Rename a regional network."""
    network = get_network_or_404(network_id)
    form = NetworkForm(obj=network)
    if form.validate_on_submit():
        try:
            services.rename_network(network, form.name.data, by=current_user)
        except services.AdminError as error:
            _refuse(form, error)
        else:
            db.session.commit()
            flash("Network renamed.", "success")
            return redirect(url_for("admin.collaborative", collaborative_id=network.parent_id))
    return render_template("admin/network_form.html", form=form,
                           collaborative=network.parent, network=network)


@bp.post("/networks/<id:network_id>/archive")
@login_required
def archive_network(network_id: int):
    """Archive a regional network: no new sites join it; its sites' work stays."""
    network = get_network_or_404(network_id)
    if ConfirmForm().validate_on_submit():
        services.archive(network, by=current_user)
        db.session.commit()
        flash(f"Archived the network {network.name}.", "success")
    return redirect(url_for("admin.collaborative", collaborative_id=network.parent_id))


@bp.route("/collaboratives/<id:collaborative_id>/sites/new", methods=["GET", "POST"])
@login_required
def create_site(collaborative_id: int):
    """Add a site to one of the networks the user manages."""
    collaborative = get_collaborative_or_404(collaborative_id,
                                             may=Collaborative.can_manage_some_part)
    form = SiteForm()
    form.network_id.choices = _network_choices(collaborative)
    if form.validate_on_submit():
        network = _chosen_network(form.network_id.data)
        if not (network or collaborative).can_manage(current_user):
            abort(403)
        try:
            site = services.create_site(collaborative, network, form.name.data,
                                        form.organisation.data, by=current_user,
                                        record=form.record)
        except services.AdminError as error:
            _refuse(form, error)
        else:
            db.session.commit()
            flash(f"Added {site.name}. Invite its team next.", "success")
            return redirect(url_for("admin.collaborative", collaborative_id=collaborative.id))
    return render_template("admin/site_form.html", form=form, collaborative=collaborative,
                           site=None)


def _network_choices(collaborative: Collaborative, *,
                     keep: Collaborative | None = None) -> list[tuple[str, str]]:
    # Archived networks are left out: no site may join one. `keep`: the site's own network,
    # offered whatever it is, so that saving a site leaves it there.
    choices = [(str(n.id), n.name) for n in collaborative.networks
               if not n.is_archived and n.can_manage(current_user) and n != keep]
    if keep is not None:
        choices.insert(0, (str(keep.id), keep.name + (" (archived)" if keep.is_archived else "")))
    if collaborative.can_manage(current_user):
        choices.insert(0, ("", "No regional network"))
    return choices


def _chosen_network(value: str) -> Collaborative | None:
    if not value:
        return None
    network_id = parse_id(value)
    network = db.session.get(Collaborative, network_id) if network_id else None
    if network is None:
        abort(404)
    return network


@bp.post("/sites/<id:site_id>/archive")
@login_required
def archive_site(site_id: int):
    """Archive a site that left: its cycles and data stay readable."""
    site = get_site_or_404(site_id, administer=True)
    if ConfirmForm().validate_on_submit():
        services.archive(site, by=current_user)
        db.session.commit()
        flash(f"Archived {site.name}.", "success")
    return redirect(url_for("admin.collaborative", collaborative_id=site.collaborative_id))


@bp.route("/collaboratives/<id:collaborative_id>/periods/new", methods=["GET", "POST"])
@login_required
def create_period(collaborative_id: int):
    """Add an action period (admins and the collaborative's national faculty)."""
    collaborative = get_collaborative_or_404(collaborative_id, may=Collaborative.can_manage)
    return _period_form(collaborative, None)


@bp.route("/periods/<id:period_id>/edit", methods=["GET", "POST"])
@login_required
def update_period(period_id: int):
    """Change an action period's name or dates (one in use: a removed one is restored first)."""
    period, collaborative = _managed_period(period_id, removed=False)
    return _period_form(collaborative, period)


@bp.post("/periods/<id:period_id>/remove")
@login_required
def remove_period(period_id: int):
    """Take an action period out of use; it is listed under "Removed" to restore."""
    period, collaborative = _managed_period(period_id, removed=False)
    if ConfirmForm().validate_on_submit():
        services.remove_period(period, by=current_user)
        db.session.commit()
        flash(f"Removed {period.name}. Restore it under “Removed action periods” if that was "
              "a mistake.", "success")
    return redirect(url_for("admin.collaborative", collaborative_id=collaborative.id)
                    + "#periods-heading")


@bp.post("/periods/<id:period_id>/restore")
@login_required
def restore_period(period_id: int):
    """Put a removed action period back in use (refused while another in use overlaps it)."""
    period, collaborative = _managed_period(period_id, removed=True)
    back = url_for("admin.collaborative", collaborative_id=collaborative.id)
    if ConfirmForm().validate_on_submit():
        try:
            services.restore_period(period, by=current_user)
        except services.AdminError as error:
            db.session.rollback()
            flash(str(error), "danger")
            return redirect(back)  # to the top, where the reason is shown
        db.session.commit()
        flash(f"Restored {period.name}.", "success")
    return redirect(back + "#periods-heading")


def _managed_period(period_id: int, *, removed: bool) -> tuple[PlannedPeriod, Collaborative]:
    """The action period (in use, or removed) and its collaborative, which the user must
    manage: 404 for a period in the other state."""
    period = db.get_or_404(PlannedPeriod, period_id)
    collaborative = get_collaborative_or_404(period.collaborative_id,
                                             may=Collaborative.can_manage)
    if (period.deleted_at is not None) != removed:
        abort(404)
    return period, collaborative


def _period_form(collaborative: Collaborative, period: PlannedPeriod | None):
    form = PeriodForm(obj=period)
    if form.validate_on_submit():
        try:
            services.save_period(collaborative, period, form.name.data, form.starts_on.data,
                                 form.ends_on.data, by=current_user)
        except services.AdminError as error:
            _refuse(form, error)
        else:
            db.session.commit()
            flash("Action period saved.", "success")
            return redirect(url_for("admin.collaborative", collaborative_id=collaborative.id))
    return render_template("admin/period_form.html", form=form, collaborative=collaborative,
                           period=period)


@bp.route("/sites/<id:site_id>/edit", methods=["GET", "POST"])
@login_required
def update_site(site_id: int):
    """Change a site's name, its sign-up record and its regional network (who supports it)."""
    site = get_site_or_404(site_id, administer=True)
    form = SiteEditForm(obj=site)
    form.network_id.choices = _network_choices(site.collaborative, keep=site.network)
    if not form.is_submitted():
        form.network_id.data = str(site.network_id or "")
    if form.validate_on_submit():
        network = site.network
        if "network_id" in request.form:  # a form sent without it leaves the site where it is
            network = _chosen_network(form.network_id.data)
            if network != site.network and not (network or site.collaborative).can_manage(
                    current_user):
                abort(403)
        try:
            services.update_site(site, form.name.data, form.organisation.data, form.record,
                                 by=current_user, network=network)
        except services.AdminError as error:
            _refuse(form, error)
        else:
            db.session.commit()
            flash(f"Saved {site.name}.", "success")
            return redirect(url_for("sites.detail", site_id=site.id))
    return render_template("admin/site_form.html", form=form, collaborative=site.collaborative,
                           site=site)
