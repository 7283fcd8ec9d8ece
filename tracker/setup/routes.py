"""The first-run page: open only while the database has no admin."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_user

from ..extensions import db
from . import bp, services
from .forms import FirstAdminForm

# Once an admin exists the app never needs to ask again (admins are never deleted).
_SEEN_ADMIN = "tracker.setup_done"


@bp.before_app_request
def first_run():
    """Send a visitor at / to the first-run page while there is no admin."""
    if request.endpoint != "main.index" or current_app.extensions.get(_SEEN_ADMIN):
        return None
    if services.has_admin():
        current_app.extensions[_SEEN_ADMIN] = True
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
