"""A triager names a theme group (the themes page, one group's list, `feedback triage rename-theme`): every page
then shows the name for the group and its verbatims, those that join later too; an empty name gives back the
automatic label; a bad name changes nothing."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from feedback_app.accounts.services import create_user
from feedback_app.core.extensions import db
from tests.support.factories import NOW
from triage.models import Fix, ThemeGroup
from triage.verbatims import classifying, listing
from triage.verbatims import tallies as triage_tallies
from triage.verbatims.intake import ChannelFeedback, take_feedback

PASSWORD = "long-enough-password"
LATER = NOW + timedelta(days=1)
EXPORTS = ("The PDF export is slow", "pdf export slow again", "PDF export is so slow today")


def say(text: str, minutes: int = 0) -> None:
    """A comment from the chat, classified and grouped as the sweep does it."""
    take_feedback(ChannelFeedback(text, score=3, kind="csat", channel="chat",
                                  answered_at=NOW + timedelta(minutes=minutes)), LATER, 0.5)
    classifying.classify_pending(LATER, 0.5)


def export_group() -> ThemeGroup:
    for minutes, text in enumerate(EXPORTS):
        say(text, minutes)
    db.session.expire_all()
    return db.session.scalar(select(ThemeGroup).order_by(ThemeGroup.size.desc()))


def sign_in(client, role: str) -> None:
    create_user(f"{role}@example.com", PASSWORD, role)
    client.post("/login", data={"email": f"{role}@example.com", "password": PASSWORD})


def rename(client, key: str, name: str, back: str = "themes", query: str = "", **headers):
    return client.post(f"/triage/themes/name{query}", data={"key": key, "name": name, "back": back}, **headers)


def stored(key: str) -> tuple[str | None, str]:
    db.session.expire_all()
    group = db.session.get(ThemeGroup, key)
    return group.name, group.label


def test_the_automatic_label_is_the_first_members_phrase(app):
    group = export_group()
    assert group.size == 3 and group.label == "PDF export is slow" and group.name is None


def test_a_named_group_shows_its_name_on_every_page_for_every_member_new_ones_too(app, client):
    group = export_group()
    sign_in(client, "triager")
    themes = client.get("/triage/themes").get_data(as_text=True)
    assert "PDF export is slow" in themes and f'name="key" value="{group.key}"' in themes
    assert 'for="name-1-name"' in themes and 'id="name-1-name"' in themes  # a label for the field

    reply = rename(client, group.key, "  Slow   PDF export ", query="?language=en&page=1")
    assert reply.status_code == 303 and reply.headers["Location"].endswith("/triage/themes?language=en")
    assert stored(group.key) == ("Slow PDF export", "PDF export is slow")
    themes = client.get("/triage/themes").get_data(as_text=True)
    assert "The theme is now called “Slow PDF export”." in themes
    assert ">Slow PDF export</a>" in themes and 'value="Slow PDF export"' in themes

    # A verbatim that joins later carries the group's name, not its own phrase.
    say("PDF export slow on big files", 10)
    listed = client.get("/triage").get_data(as_text=True)
    assert "4 — Slow PDF export" in listed
    assert listed.count(f'theme={group.key.replace(" ", "+")}">Slow PDF export</a>') == 4
    assert "PDF export slow on big files</blockquote>" in listed and ">PDF export slow on big</a>" not in listed
    one_group = client.get(f"/triage?theme={group.key}").get_data(as_text=True)
    assert 'theme: <bdi>Slow PDF export</bdi>' in one_group and 'id="theme-name-name"' in one_group

    # A fix made from the group suggests new verbatims under the group's name.
    client.post("/fixes/link", data={"theme": group.key, "to": "new", "title": "Faster PDF export", "cost": "2",
                                     "back": "themes"})
    fix = db.session.scalar(select(Fix))
    say("pdf export slow since Monday", 20)
    fix_page = client.get(f"/fixes/{fix.id}").get_data(as_text=True)
    assert "pdf export slow since Monday" in fix_page and '<bdi dir="auto">Slow PDF export</bdi>' in fix_page


def test_an_empty_name_gives_back_the_automatic_label(app, client):
    group = export_group()
    sign_in(client, "triager")
    rename(client, group.key, "Slow PDF export")
    assert ">Slow PDF export</a>" in client.get("/triage/themes").get_data(as_text=True)
    reply = rename(client, group.key, "", back="list")
    assert reply.headers["Location"].endswith("/triage#theme-name")
    assert stored(group.key) == (None, "PDF export is slow")
    page = client.get("/triage/themes").get_data(as_text=True)
    assert "The theme shows its automatic name again: “PDF export is slow”." in page
    assert "Slow PDF export" not in page and ">PDF export is slow</a>" in page


def test_a_bad_name_says_why_and_changes_nothing(app, client):
    group = export_group()
    sign_in(client, "triager")
    rename(client, group.key, "Slow PDF export")
    for name, message in (("   ", "A theme&#39;s name cannot be only spaces"),
                          ("x" * 121, "A theme&#39;s name can be at most 120 characters long."),
                          ("x" * 5000, "A theme&#39;s name can be at most 120 characters long."),
                          ("PDF\x07export", "A theme&#39;s name cannot contain control characters.")):
        reply = rename(client, group.key, name)
        assert reply.status_code == 303
        assert message in client.get("/triage/themes").get_data(as_text=True)
        assert stored(group.key) == ("Slow PDF export", "PDF export is slow")
    rename(client, "no such group", "Anything")
    assert "There is no such theme group" in client.get("/triage/themes").get_data(as_text=True)
    assert rename(client, "", "Anything").status_code == 400
    assert len("x" * 120) == 120 and rename(client, group.key, "x" * 120).status_code == 303
    assert stored(group.key)[0] == "x" * 120


def test_the_message_is_in_the_triagers_language(app, client):
    group = export_group()
    sign_in(client, "triager")
    rename(client, group.key, "x" * 121, headers={"Accept-Language": "fa"})
    page = client.get("/triage/themes", headers={"Accept-Language": "fa"}).get_data(as_text=True)
    assert "نام موضوع حداکثر می‌تواند ۱۲۰ نویسه باشد." in page and "تغییر نام" in page


def test_only_triagers_rename_and_the_form_needs_its_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        group = export_group()
        viewer = app.test_client()
        token = _token(viewer.get("/login").data)
        create_user("viewer@example.com", PASSWORD, "viewer")
        viewer.post("/login", data={"csrf_token": token, "email": "viewer@example.com", "password": PASSWORD})
        assert "Rename" not in viewer.get("/triage/themes").get_data(as_text=True)
        assert viewer.post("/triage/themes/name", data={"key": group.key, "name": "Hmm",
                                                         "csrf_token": token}).status_code == 403
        triager = app.test_client()
        token = _token(triager.get("/login").data)
        create_user("triager@example.com", PASSWORD, "triager")
        triager.post("/login", data={"csrf_token": token, "email": "triager@example.com", "password": PASSWORD})
        assert triager.post("/triage/themes/name", data={"key": group.key, "name": "Forged"}).status_code == 400
        assert stored(group.key)[0] is None
        token = _token(triager.get("/triage/themes").data)
        reply = triager.post("/triage/themes/name", data={"key": group.key, "name": "Real", "csrf_token": token})
        assert reply.status_code == 303 and stored(group.key)[0] == "Real"


def _token(page: bytes) -> str:
    return re.search(rb'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1).decode()


def test_the_command_names_a_group_and_empties_the_name(app):
    group = export_group()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["triage", "rename-theme", group.key, "Slow PDF export"])
    assert result.exit_code == 0 and "is now called 'Slow PDF export'" in result.output
    assert stored(group.key)[0] == "Slow PDF export"
    assert listing.theme_groups(listing.Filters())[0].label == "Slow PDF export"
    for args, message in (([group.key, "y" * 121], "at most 120 characters"),
                          (["no such group", "Name"], "There is no such theme group")):
        result = runner.invoke(args=["triage", "rename-theme", *args])
        assert result.exit_code == 1 and message in result.output
        assert stored(group.key)[0] == "Slow PDF export"
    result = runner.invoke(args=["triage", "rename-theme", group.key, ""])
    assert result.exit_code == 0 and "automatic name again: 'PDF export is slow'" in result.output
    assert stored(group.key) == (None, "PDF export is slow")


def test_a_rebuild_refreshes_automatic_labels_and_keeps_names(app):
    group = export_group()
    say("Dark mode please, my eyes hurt at night", 5)
    db.session.execute(update(ThemeGroup).values(label="setup took ten team"))  # as an older version named them
    db.session.get(ThemeGroup, group.key).name = "Slow PDF export"
    db.session.commit()
    triage_tallies.rebuild()
    db.session.commit()
    labels = dict(db.session.execute(select(ThemeGroup.key, ThemeGroup.label)).all())
    assert labels[group.key] == "PDF export is slow" and "setup took ten team" not in labels.values()
    assert stored(group.key) == ("Slow PDF export", "PDF export is slow")
