from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField

from ..models import SiteRole


class MemberRoleForm(FlaskForm):
    role = SelectField("Role", choices=SiteRole.choices)
    submit = SubmitField("Change role")


class RemoveMemberForm(FlaskForm):
    submit = SubmitField("Remove from team")
