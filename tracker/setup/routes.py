"""The first-run page: open only while the database has no admin."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import login_user

from ..extensions import db
from . import bp, services
from .forms import FirstAdminForm


@bp.before_app_request
def first_run():
    """Send a visitor at / to the first-run page while there is no admin.

    One indexed query, on / only: not cached, since a restored or emptied database may have
    no admin again."""
    if request.endpoint != "main.index" or services.has_admin():
        return None
    return redirect(url_for("setup.create"))


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
