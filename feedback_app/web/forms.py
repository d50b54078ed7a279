"""The forms every package shares: a CSRF-protected button with nothing else in it."""
from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """An empty form: a POST button with CSRF protection."""
