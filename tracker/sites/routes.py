"""The sites directory and each site's team."""

from itertools import groupby

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload

from ..core import audit
from ..core.args import arg_id
from ..core.queries import sites_visible_to
from ..extensions import db
from ..models import CollaborativeRole, Cycle, Membership, Site, SiteRole, User
from . import bp, record
from .forms import MemberRoleForm, RemoveMemberForm
from .loaders import get_site_or_404
from .picker import suggestions


@bp.get("/lookup")
@login_required
def lookup():
    """The sites the user may see whose name holds ?q= (in ?collaborative= only, if given),
    as JSON: the suggestions of the site boxes that long lists show (sites.picker)."""
    allowed = sites_visible_to(current_user, include_archived=True)
    collaborative_id = arg_id(request.args, "collaborative")
    if collaborative_id is not None:
        allowed = allowed.where(Site.collaborative_id == collaborative_id)
    return jsonify(suggestions(allowed, request.args.get("q", "")))


@bp.get("/")
@login_required
def index():
    """Every site in your collaborative, by regional network, with team and cycle counts."""
    # Joined: every row names its network.
    sites = db.session.execute(
        sites_visible_to(current_user).options(joinedload(Site.network))
    ).scalars().all()
    site_ids = [s.id for s in sites]
    team_sizes = dict(db.session.execute(
        db.select(Membership.site_id, db.func.count(Membership.id))
        .where(Membership.site_id.in_(site_ids)).group_by(Membership.site_id)
    ).all())
    cycle_counts = dict(db.session.execute(
        db.select(Cycle.site_id, db.func.count(Cycle.id))
        .where(Cycle.site_id.in_(site_ids), Cycle.deleted_at.is_(None))
        .group_by(Cycle.site_id)
    ).all())
    by_network = groupby(
        sorted(sites, key=lambda s: (s.network.name if s.network else "", s.name)),
        key=lambda s: s.network.name if s.network else "",
    )
    return render_template(
        "sites/index.html",
        by_network=[(name, list(group)) for name, group in by_network],
        team_sizes=team_sizes,
        cycle_counts=cycle_counts,
    )


@bp.get("/<id:site_id>")
@login_required
def detail(site_id: int):
    """A site's team, grouped by profession: who contributes, never a ranking. Those who manage
    the team also see who has never signed in, and the deactivated, to reactivate."""
    site = get_site_or_404(site_id)
    can_manage = site.can_manage(current_user)
    memberships = db.session.execute(
        db.select(Membership).join(Membership.user)
        .options(joinedload(Membership.user).selectinload(User.memberships)
                 .joinedload(Membership.site),
                 joinedload(Membership.user).selectinload(User.collaborative_roles)
                 .joinedload(CollaborativeRole.collaborative))
        .where(Membership.site_id == site.id)
        .order_by(User.name)
    ).unique().scalars().all()
    active = [m for m in memberships if m.user.active]
    by_profession = groupby(
        sorted(active, key=lambda m: (m.user.profession.label, m.user.name)),
        key=lambda m: m.user.profession,
    )
    return render_template(
        "sites/detail.html",
        site=site,
        teams=[(profession, list(group)) for profession, group in by_profession],
        member_count=len(active),
        can_manage=can_manage,
        never_signed_in=sum(1 for m in active if m.user.last_login_at is None),
        deactivated=[m for m in memberships if not m.user.active] if can_manage else [],
        account_managed={m.user_id for m in memberships
                         if can_manage and m.user.can_manage_account(current_user)},
        mix=record.team_mix(active),
        balance_flags=record.balance_now(site) if can_manage else [],
        can_edit_record=site.can_administer(current_user),
    )


def _get_membership(site: Site, membership_id: int) -> Membership:
    membership = db.get_or_404(Membership, membership_id)
    if membership.site_id != site.id:
        abort(404)
    return membership


@bp.post("/<id:site_id>/members/<id:membership_id>/role")
@login_required
def update_member(site_id: int, membership_id: int):
    """Change a team member's role (site leads, faculty and admins)."""
    site = get_site_or_404(site_id, manage=True)
    membership = _get_membership(site, membership_id)
    form = MemberRoleForm()
    if form.validate_on_submit():
        before = membership.role.value
        membership.role = SiteRole(form.role.data)
        audit.record("auth.role_changed", actor=current_user, obj=membership,
                     before={"role": before}, after={"role": membership.role.value},
                     detail=membership.user.email)
        db.session.commit()
        flash(f"{membership.user.name} is now {membership.role.label.lower()}.", "success")
    else:
        flash("Choose a role from the list.", "danger")
    return redirect(url_for("sites.detail", site_id=site.id))


@bp.post("/<id:site_id>/members/<id:membership_id>/remove")
@login_required
def remove_member(site_id: int, membership_id: int):
    """Take someone off a site team (their account and their work stay)."""
    site = get_site_or_404(site_id, manage=True)
    membership = _get_membership(site, membership_id)
    if RemoveMemberForm().validate_on_submit():
        audit.record("auth.member_removed", actor=current_user, obj=membership,
                     before={"user_id": membership.user_id, "role": membership.role.value},
                     detail=membership.user.email)
        name = membership.user.name
        db.session.delete(membership)
        db.session.commit()
        flash(f"{name} is no longer on the {site.name} team.", "success")
    return redirect(url_for("sites.detail", site_id=site.id))
