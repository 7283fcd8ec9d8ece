"""A collaborative's people: who has which role, who has never signed in; deactivate and
reactivate accounts; change or remove collaborative-wide roles (faculty, partners)."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..auth import services as auth_services
from ..auth.forms import CollaborativeRoleForm
from ..auth.loaders import get_collaborative_role_or_404, get_person_or_404
from ..auth.queries import people_of
from ..core.forms import ConfirmForm
from ..core.paging import paginate
from ..core.urls import safe_next
from ..extensions import db
from ..models import Collaborative, CollaborativeRoleKind, User
from ..sites.loaders import get_collaborative_or_404
from . import bp

PER_PAGE = 50


@bp.get("/collaboratives/<id:collaborative_id>/people")
@login_required
def collaborative_people(collaborative_id: int):
    """Everyone taking part in a collaborative, with their roles and last sign-in (its faculty
    and admins); ?never=1 lists those who have never signed in."""
    collaborative = get_collaborative_or_404(collaborative_id, may=Collaborative.can_manage)
    never = request.args.get("never") == "1"
    page = paginate(people_of(collaborative, never_signed_in=never), request.args,
                    per_page=PER_PAGE)
    return render_template(
        "admin/people.html", collaborative=collaborative, page=page, never=never,
        rows=[_row(person, collaborative) for person in page.items],
        role_choices=list(CollaborativeRoleKind),
        args={k: v for k, v in request.args.items() if k != "page"})


def _row(person: User, collaborative: Collaborative) -> dict:
    """What the page shows of one person: only their places in this collaborative."""
    return {
        "person": person,
        "memberships": [m for m in person.memberships
                        if m.site.collaborative_id == collaborative.id],
        "roles": [r for r in person.collaborative_roles
                  if r.collaborative.root_id == collaborative.id],
        "can_manage_account": person.can_manage_account(current_user),
    }


def _back(default: str):
    return redirect(safe_next(request.form.get("next")) or default)


@bp.post("/people/<id:user_id>/deactivate")
@login_required
def deactivate_person(user_id: int):
    """Stop an account signing in (its sessions end; its work stays, attributed)."""
    person = get_person_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        auth_services.set_active(person, False, by=current_user)
        db.session.commit()
        flash(f"{person.name} is deactivated: they can no longer sign in. Their work stays.",
              "success")
    return _back(url_for("main.dashboard"))


@bp.post("/people/<id:user_id>/reactivate")
@login_required
def reactivate_person(user_id: int):
    """Let a deactivated account sign in again."""
    person = get_person_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        auth_services.set_active(person, True, by=current_user)
        db.session.commit()
        flash(f"{person.name} can sign in again.", "success")
    return _back(url_for("main.dashboard"))


@bp.post("/collaborative-roles/<id:role_id>/role")
@login_required
def update_collaborative_role(role_id: int):
    """Make someone faculty or a lived-experience partner of the collaborative."""
    role = get_collaborative_role_or_404(role_id)
    form = CollaborativeRoleForm()
    if form.validate_on_submit():
        auth_services.change_collaborative_role(role, CollaborativeRoleKind(form.role.data),
                                                by=current_user)
        db.session.commit()
        flash(f"{role.user.name} is now {role.role.label.lower()} of "
              f"{role.collaborative.name}.", "success")
    else:
        flash("Choose a role from the list.", "danger")
    return _back(url_for("admin.collaborative_people",
                         collaborative_id=role.collaborative.root_id))


@bp.post("/collaborative-roles/<id:role_id>/remove")
@login_required
def remove_collaborative_role(role_id: int):
    """Take a collaborative-wide role away (the account and its work stay)."""
    role = get_collaborative_role_or_404(role_id)
    root_id, name = role.collaborative.root_id, role.user.name
    if ConfirmForm().validate_on_submit():
        auth_services.remove_collaborative_role(role, by=current_user)
        db.session.commit()
        flash(f"{name} no longer has that role.", "success")
    return _back(url_for("admin.collaborative_people", collaborative_id=root_id))
