"""`feedback users list/set-password/set-role/deactivate/activate` (create is in tests/app/feedback_app/test_cli.py)."""
from sqlalchemy import select

from feedback_app.accounts import services
from feedback_app.accounts.models import User
from feedback_app.core.extensions import db

PASSWORD = "long-enough-password"


def run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["users", *args], input=input)


def user(email) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def test_list_shows_one_line_per_user_with_role_and_state(app):
    services.create_user("lead@example.com", PASSWORD, "admin")
    services.create_user("ana@example.com", PASSWORD, "viewer")
    services.deactivate_user(user("ana@example.com"))
    result = run(app, "list")
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.output.strip().splitlines()]
    assert [line[:4] for line in lines] == [[str(user("lead@example.com").id), "lead@example.com", "admin", "active"],
                                            [str(user("ana@example.com").id), "ana@example.com", "viewer",
                                             "deactivated"]]
    assert all(line[4].startswith("created 20") for line in lines)


def test_set_password_reads_stdin_and_ends_the_users_sessions(app):
    services.create_user("ana@example.com", PASSWORD, "viewer")
    before = user("ana@example.com").session_version
    result = run(app, "set-password", "ANA@example.com", input="a-brand-new-password\n")
    assert result.exit_code == 0, result.output
    assert "every session of theirs has ended" in result.output
    ana = user("ana@example.com")
    assert ana.check_password("a-brand-new-password") and ana.session_version == before + 1


def test_set_password_refuses_an_unknown_user_or_a_short_password_and_changes_nothing(app):
    services.create_user("ana@example.com", PASSWORD, "viewer")
    unknown = run(app, "set-password", "nobody@example.com", input="a-brand-new-password\n")
    assert unknown.exit_code != 0 and "there is no user nobody@example.com" in unknown.output
    short = run(app, "set-password", "ana@example.com", input="short\n")
    assert short.exit_code != 0 and "at least 8" in short.output
    assert user("ana@example.com").check_password(PASSWORD) and user("ana@example.com").session_version == 0


def test_set_role_changes_the_role_and_refuses_a_bad_one(app):
    services.create_user("lead@example.com", PASSWORD, "admin")
    services.create_user("ana@example.com", PASSWORD, "viewer")
    result = run(app, "set-role", "ana@example.com", "--role", "triager")
    assert result.exit_code == 0 and "ana@example.com is now triager." in result.output
    assert user("ana@example.com").role == "triager"
    bad = run(app, "set-role", "ana@example.com", "--role", "owner")
    assert bad.exit_code != 0 and "'owner' is not one of" in bad.output
    unknown = run(app, "set-role", "nobody@example.com", "--role", "viewer")
    assert unknown.exit_code != 0 and "there is no user" in unknown.output
    assert user("ana@example.com").role == "triager"


def test_the_last_active_admin_can_be_neither_demoted_nor_deactivated(app):
    services.create_user("lead@example.com", PASSWORD, "admin")
    services.create_user("ana@example.com", PASSWORD, "admin")
    services.deactivate_user(user("ana@example.com"))  # a deactivated admin does not count

    for args in (["set-role", "lead@example.com", "--role", "triager"], ["deactivate", "lead@example.com"]):
        refused = run(app, *args)
        assert refused.exit_code != 0, args
        assert "lead@example.com is the last active admin" in refused.output
    lead = user("lead@example.com")
    assert (lead.role, lead.active, lead.session_version) == ("admin", True, 0)

    assert run(app, "activate", "ana@example.com").exit_code == 0
    assert run(app, "set-role", "lead@example.com", "--role", "viewer").exit_code == 0  # now there is another
    assert user("lead@example.com").role == "viewer"


def test_deactivate_then_activate(app):
    services.create_user("lead@example.com", PASSWORD, "admin")
    services.create_user("ana@example.com", PASSWORD, "triager")
    result = run(app, "deactivate", "ana@example.com")
    assert result.exit_code == 0 and "Deactivated ana@example.com" in result.output
    ana = user("ana@example.com")
    assert not ana.active and ana.session_version == 1
    assert run(app, "activate", "ana@example.com").output.strip() == "Activated ana@example.com."
    assert user("ana@example.com").active
    unknown = run(app, "deactivate", "nobody@example.com")
    assert unknown.exit_code != 0 and "there is no user" in unknown.output
