"""Every message the app shows has its Arabic and Persian translation (each plural form too): the messages are
extracted from the code and templates as `pybabel extract -F babel.cfg -k _l` extracts them, and looked up in
the committed catalogs. A page with one English sentence in an Arabic page is a bug this finds."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.txt", "jinja2")]  # babel.cfg


@pytest.fixture(scope="module")
def messages() -> dict[str | tuple[str, ...], str]:
    """Each message id (a tuple for plurals) → where it is first used."""
    found = {}
    for filename, line, message, _, _ in extract_from_dir(str(ROOT), METHODS, keywords={**DEFAULT_KEYWORDS, "_l": None}):
        found.setdefault(message, f"{filename}:{line}")
    return found


@pytest.mark.parametrize("locale", ["ar", "fa"])
def test_every_message_is_translated(messages, locale):
    with (ROOT / "feedback_app" / "translations" / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    missing = []
    for message, where in messages.items():
        entry = catalog.get(message[0] if isinstance(message, tuple) else message)
        strings = entry.string if entry is not None else ""
        if not all(strings if isinstance(strings, tuple) else [strings]):
            missing.append(f"{where}: {message!r}")
    assert len(messages) > 300 and not missing, "\n".join(missing)
