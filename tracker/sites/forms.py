from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField

from ..core.forms import enum_choices
from ..models import SiteRole


class MemberRoleForm(FlaskForm):
    role = SelectField("Role", choices=enum_choices(SiteRole))
    submit = SubmitField("Change role")


class RemoveMemberForm(FlaskForm):
    submit = SubmitField("Remove from team")
