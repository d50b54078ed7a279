"""A triager's name for a theme group: renaming it (web and `feedback triage rename-theme`), one commit.

The name (triage.language.themes.clean_name decides what may be one) is kept on the group, so every page
shows it for the group and for each of its members, those that join later included; an empty name gives
the group back its automatic label (the phrase of its first member).
"""
from __future__ import annotations

from flask_babel import gettext as _

from feedback_app.core.extensions import db
from feedback_app.core.languages import localized_digits
from triage.language.themes import NAME_MAX, NameProblem, clean_name
from triage.models import ThemeGroup


def rename_group(key: str, text: str) -> ThemeGroup | NameProblem:
    """Give the group this name ("" for its automatic label again); on a problem nothing changes."""
    group = db.session.get(ThemeGroup, key) if key else None
    if group is None:
        return NameProblem("unknown")
    name = clean_name(text)
    if isinstance(name, NameProblem):
        return name
    group.name = name
    db.session.commit()
    return group


def problem_message(problem: NameProblem, locale: str = "en") -> str:
    """A problem as the triager reads it (in the current language)."""
    messages = {
        "unknown": lambda: _("There is no such theme group (its last verbatim may have been erased)."),
        "blank": lambda: _("A theme's name cannot be only spaces. Leave it empty to use the automatic name."),
        "control": lambda: _("A theme's name cannot contain control characters."),
        "too_long": lambda: _("A theme's name can be at most %(max)s characters long.",
                              max=localized_digits(NAME_MAX, locale)),
    }
    return messages[problem.key]()
