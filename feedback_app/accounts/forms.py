"""Account forms: shape only (the services decide)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from feedback_app.accounts.services import EMAIL_MAX, MAX_PASSWORD, MIN_PASSWORD

# The roles' names in a sentence, in the reader's language ("… is now a viewer").
ROLE_NAMES = {"admin": _l("admin"), "triager": _l("triager"), "viewer": _l("viewer")}


def role_name(role: str) -> str:
    return str(ROLE_NAMES.get(role, role))


ROLE_CHOICES = [SelectChoice("viewer", _l("Viewer: reads everything, changes nothing")),
                SelectChoice("triager", _l("Triager: surveys, triage and fixes")),
                SelectChoice("admin", _l("Admin: everything, including users and the outbox"))]


def _new_password(label):
    length = Length(min=MIN_PASSWORD, max=MAX_PASSWORD,
                    message=_l("A password needs at least %(min)d and at most %(max)d characters."))
    return PasswordField(label, validators=[DataRequired(), length],
                         description=_l("At least %(count)d characters.", count=MIN_PASSWORD))


def _repeat(field_name: str):
    return PasswordField(_l("The new password again"),
                         validators=[DataRequired(), Length(max=MAX_PASSWORD),
                                     EqualTo(field_name, message=_l("The two passwords differ."))])


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=EMAIL_MAX)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD)])
    remember = BooleanField(_l("Keep me signed in"),
                            description=_l("Until you sign out, on this device. Not on a shared computer."))


class OwnPasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=MAX_PASSWORD)])
    new = _new_password(_l("New password"))
    repeat = _repeat("new")


class NewUserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=EMAIL_MAX)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default="viewer")
    password = _new_password(_l("Initial password"))


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)


class SetPasswordForm(FlaskForm):
    password = _new_password(_l("New password"))
    repeat = _repeat("password")
