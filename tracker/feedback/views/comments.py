"""Comments on cycles and ideas: post, reply, edit (15 minutes), delete, mention suggestions."""

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ...core.args import arg_id, parse_id
from ...core.forms import ConfirmForm
from ...cycles.loaders import get_cycle_or_404
from ...extensions import db
from ...ideas.loaders import get_idea_or_404
from ...models import ChangeIdea, Comment, Cycle, User
from .. import audience, bp, services
from ..forms import CommentForm
from ..loaders import get_comment_or_404, target_of

SUGGESTIONS = 8


def page_of(target: Cycle | ChangeIdea) -> str:
    if isinstance(target, Cycle):
        return url_for("cycles.detail", cycle_id=target.id)
    return url_for("ideas.detail", idea_id=target.id)


def _form_page(form: CommentForm, target: Cycle | ChangeIdea, heading: str,
               parent: Comment | None = None) -> str:
    key = "cycle" if isinstance(target, Cycle) else "idea"
    return render_template("feedback/comment_form.html", form=form, target=target,
                           back_url=page_of(target), action=request.path, parent=parent,
                           mentions_url=url_for("feedback.mentions", **{key: target.id}),
                           heading=heading)


@bp.post("/cycles/<id:cycle_id>/comments")
@login_required
def comment_cycle(cycle_id: int):
    """Post a comment, or a reply, on a cycle."""
    return _post(get_cycle_or_404(cycle_id))


@bp.post("/ideas/<id:idea_id>/comments")
@login_required
def comment_idea(idea_id: int):
    """Post a comment, or a reply, on a change idea."""
    return _post(get_idea_or_404(idea_id))


def _post(target: Cycle | ChangeIdea):
    form = CommentForm()
    parent = _parent(target, form.parent_id.data)
    if form.validate_on_submit():
        try:
            mentioned = services.mentioned_users(target, form.body.data)
        except audience.AmbiguousMention as error:
            form.body.errors.append(str(error))
        else:
            comment = services.post_comment(target, form.body.data, by=current_user,
                                            parent=parent, mentioned=mentioned)
            db.session.commit()
            flash("Comment posted.", "success")
            return redirect(f"{page_of(target)}#comment-{comment.id}")
    return _form_page(form, target, "Your comment was not posted", parent), 422


def _parent(target: Cycle | ChangeIdea, raw: str | None) -> Comment | None:
    """The comment replied to: it must sit under the same cycle or idea."""
    if not raw:
        return None
    if (parent_id := parse_id(raw)) is None:
        abort(400)
    parent = db.session.get(Comment, parent_id)
    same = parent is not None and (
        parent.cycle_id == target.id if isinstance(target, Cycle) else parent.idea_id == target.id)
    if not same or parent.deleted_at is not None:
        abort(404)
    return parent


@bp.route("/comments/<id:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_comment(comment_id: int):
    """Change your comment within 15 minutes of posting it; it is then marked edited."""
    comment, target = get_comment_or_404(comment_id, edit=True)
    form = CommentForm(obj=comment)
    if form.validate_on_submit():
        try:
            services.edit_comment(comment, target, form.body.data, by=current_user)
        except audience.AmbiguousMention as error:
            form.body.errors.append(str(error))
        else:
            db.session.commit()
            flash("Comment updated.", "success")
            return redirect(f"{page_of(target)}#comment-{comment.id}")
    status = 422 if form.errors else 200
    return _form_page(form, target, "Edit your comment"), status


@bp.post("/comments/<id:comment_id>/delete")
@login_required
def delete_comment(comment_id: int):
    """Remove a comment (kept in the database; replies stay in place)."""
    comment, target = get_comment_or_404(comment_id, delete=True)
    if ConfirmForm().validate_on_submit():
        services.delete_comment(comment, by=current_user)
        db.session.commit()
        flash("Comment deleted.", "success")
    return redirect(f"{page_of(target)}#comments")


@bp.get("/comments/mentions")
@login_required
def mentions():
    """JSON suggestions for @mentions: people who can see the cycle or idea, by name."""
    if cycle_id := arg_id(request.args, "cycle"):
        target = get_cycle_or_404(cycle_id)
    elif idea_id := arg_id(request.args, "idea"):
        target = get_idea_or_404(idea_id)
    else:
        abort(404)
    text = (request.args.get("q") or "").strip()[:60]
    query = audience.people_who_see(target)
    if text:
        query = query.where(User.name.icontains(text, autoescape=True))
    people = db.session.scalars(query.limit(200)).all()
    handles = audience.handles(people)
    return jsonify([{"name": u.name, "handle": handles[u.id], "detail": u.profession.label}
                    for u in people[:SUGGESTIONS]])


@bp.get("/comments/<id:comment_id>")
@login_required
def show_comment(comment_id: int):
    """A comment's place on its page (links in notifications and the activity feed)."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        abort(404)
    return redirect(f"{page_of(target_of(comment))}#comment-{comment.id}")

