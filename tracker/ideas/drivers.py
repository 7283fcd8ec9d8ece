"""The driver diagram (aim → primary → secondary drivers → ideas) and tag housekeeping."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from ..core.args import arg_id
from ..core.forms import ConfirmForm
from ..extensions import db
from ..models import ChangeIdea, Collaborative, Driver, Tag
from ..sites.loaders import collaborative_choices, get_collaborative_or_404
from . import bp, services
from .forms import DriverForm, MergeTagsForm, RenameDriverForm
from .loaders import get_driver_or_404


def _collaborative(may=None) -> Collaborative:
    """The collaborative whose diagram to show: ?collaborative= or the user's first (with
    `may`, a rule the user must pass)."""
    return get_collaborative_or_404(arg_id(request.args, "collaborative"), may=may)


@bp.get("/drivers")
@login_required
def diagram():
    """The driver diagram, with a nested list for screen readers and small screens."""
    collaborative = _collaborative()
    drivers = db.session.scalars(db.select(Driver).where(
        Driver.collaborative_id == collaborative.id, Driver.deleted_at.is_(None))
        .order_by(Driver.position, Driver.id)).all()
    ideas = db.session.execute(db.select(ChangeIdea.id, ChangeIdea.title, ChangeIdea.driver_id)
                               .where(ChangeIdea.collaborative_id == collaborative.id,
                                      ChangeIdea.deleted_at.is_(None))
                               .order_by(ChangeIdea.title)).all()
    primaries = [d for d in drivers if d.parent_id is None]
    tree = [(p, [(s, [i for i in ideas if i.driver_id == s.id])
                 for s in drivers if s.parent_id == p.id],
             [i for i in ideas if i.driver_id == p.id]) for p in primaries]
    can_edit = current_user.is_faculty_of(collaborative.id)
    form = DriverForm()
    form.parent_id.choices = [SelectChoice("", "Primary driver (top level)")] + [
        SelectChoice(str(p.id), p.title) for p in primaries]
    return render_template(
        "ideas/drivers.html", collaborative=collaborative, tree=tree, can_edit=can_edit,
        form=form, rename_form=RenameDriverForm(), confirm_form=ConfirmForm(),
        unplaced=[i for i in ideas if i.driver_id is None], choices=collaborative_choices(),
    )


@bp.post("/drivers/new")
@login_required
def add_driver():
    """Add a primary or secondary driver (faculty)."""
    collaborative = _collaborative(may=Collaborative.has_faculty)
    form = DriverForm()
    parents = db.session.scalars(db.select(Driver).where(
        Driver.collaborative_id == collaborative.id, Driver.parent_id.is_(None),
        Driver.deleted_at.is_(None))).all()
    form.parent_id.choices = [SelectChoice("", "")] + [SelectChoice(str(p.id), p.title)
                                                       for p in parents]
    if form.validate_on_submit():
        parent = next((p for p in parents if str(p.id) == form.parent_id.data), None)
        services.add_driver(collaborative.id, form.title.data.strip(), parent=parent)
        db.session.commit()
        flash(f"Driver “{form.title.data.strip()}” added.", "success")
    else:
        flash(" ".join(e for errors in form.errors.values() for e in errors), "danger")
    return redirect(url_for("ideas.diagram", collaborative=collaborative.id))


@bp.post("/drivers/<id:driver_id>/rename")
@login_required
def rename_driver(driver_id: int):
    """Rename a driver; its ideas and links stay as they are."""
    driver = get_driver_or_404(driver_id)
    form = RenameDriverForm()
    if form.validate_on_submit():
        driver.title = form.title.data.strip()
        db.session.commit()
        flash("Driver renamed.", "success")
    else:
        flash(" ".join(e for errors in form.errors.values() for e in errors), "danger")
    return redirect(url_for("ideas.diagram", collaborative=driver.collaborative_id))


@bp.post("/drivers/<id:driver_id>/move/<direction>")
@login_required
def move_driver(driver_id: int, direction: str):
    """Move a driver up or down among its siblings."""
    driver = get_driver_or_404(driver_id)
    if direction not in ("up", "down") or not ConfirmForm().validate_on_submit():
        abort(400)
    services.move_driver(driver, -1 if direction == "up" else 1)
    db.session.commit()
    return redirect(url_for("ideas.diagram", collaborative=driver.collaborative_id))


@bp.post("/drivers/<id:driver_id>/delete")
@login_required
def delete_driver(driver_id: int):
    """Remove an empty driver (soft: it can be brought back from the database)."""
    driver = get_driver_or_404(driver_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.remove_driver(driver)
    except services.DriverInUse as error:
        flash(str(error), "warning")
    else:
        db.session.commit()
        flash(f"Driver “{driver.title}” removed.", "success")
    return redirect(url_for("ideas.diagram", collaborative=driver.collaborative_id))


@bp.route("/tags", methods=["GET", "POST"])
@login_required
def tags():
    """Faculty merge duplicate tags (e.g. "pre-op drink" into "carbohydrate drink")."""
    collaborative = _collaborative(may=Collaborative.has_faculty)
    all_tags = db.session.scalars(db.select(Tag).where(
        Tag.collaborative_id == collaborative.id).order_by(Tag.name)).all()
    form = MergeTagsForm()
    form.source.choices = form.target.choices = [SelectChoice(t.id, t.name) for t in all_tags]
    if form.validate_on_submit():
        source = db.session.get(Tag, form.source.data)
        target = db.session.get(Tag, form.target.data)
        moved = services.merge_tags(source, target)
        db.session.commit()
        flash(f"Merged “{source.name}” into “{target.name}” ({moved} ideas moved).", "success")
        return redirect(url_for("ideas.tags", collaborative=collaborative.id))
    return render_template("ideas/tags.html", form=form, tags=all_tags,
                           collaborative=collaborative)
