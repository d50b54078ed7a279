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


def message_ids(po_text: str) -> list[str]:
    """Every msgid of a catalog as written (continuation lines joined), duplicates kept."""
    ids, current = [], None
    for line in po_text.splitlines():
        if line.startswith("msgid "):
            current = [line[len("msgid "):].strip().strip('"')]
            ids.append(current)
        elif line.startswith('"') and current is not None:
            current.append(line.strip().strip('"'))
        else:
            current = None
    return ["".join(parts) for parts in ids]


@pytest.mark.parametrize("locale", ["ar", "fa"])
def test_no_message_is_translated_twice(locale):
    """Catalogs merge as a union (.gitattributes): two branches adding one message must not leave two entries,
    of which gettext would silently keep one."""
    ids = message_ids((ROOT / "feedback_app" / "translations" / locale / "LC_MESSAGES" / "messages.po").read_text("utf-8"))
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert ids and not duplicates, duplicates


def test_message_ids_are_read_with_their_continuations():
    po = 'msgid ""\nmsgstr ""\n\nmsgid "a"\nmsgstr "x"\n\nmsgid ""\n"b"\n"c"\nmsgstr ""\n"y"\n'
    assert message_ids(po) == ["", "a", "bc"]


@pytest.mark.parametrize("locale", ["ar", "fa"])
def test_every_translation_keeps_the_placeholders_of_its_message(locale):
    """What `pybabel compile` checks: a translation whose %(name)s placeholders differ from the message's would
    raise at runtime, or show the wrong number."""
    with (ROOT / "feedback_app" / "translations" / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    problems = [f"{message.lineno}: {message.id!r}: {errors}" for message, errors in catalog.check()]
    assert not problems, "\n".join(problems)
