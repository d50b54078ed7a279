"""The base form every package's pages share: ConfirmForm, a POST button with CSRF protection."""
from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """An empty form: a POST button with CSRF protection."""
