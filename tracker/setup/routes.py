"""The first-run page: open only while the database has no admin."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import login_user

from ..extensions import db
from . import bp, services
from .forms import FirstAdminForm


@bp.route("", methods=["GET", "POST"])
def create():
    """Create the first admin, sign them in and open the admin area."""
    if services.has_admin():
        abort(404)
    form = FirstAdminForm()
    if form.validate_on_submit():
        try:
            user, _ = services.create_admin(form.email.data, form.name.data, form.password.data)
        except services.SetupError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            login_user(user)
            flash("Your admin account is ready. Create your first collaborative.", "success")
            return redirect(url_for("admin.index"))
    return render_template("setup/create.html", form=form)
