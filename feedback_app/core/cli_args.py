"""Argument types shared by the `feedback` commands of every package."""
import click

from feedback_app.core.numbers import ID_MAX

# An id as the database holds it (an INTEGER column): a larger number is a clear usage error, not a crash.
ID = click.IntRange(1, ID_MAX)
