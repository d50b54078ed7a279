"""API tokens: shown once, stored hashed, revocable; the `feedback tokens` commands."""
import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from feedback_app.accounts import tokens
from feedback_app.accounts.models import ApiToken
from feedback_app.core.extensions import db
from tests.support.factories import NOW


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_a_token_is_stored_only_as_its_hash_and_verifies_until_revoked(app):
    new = tokens.create_token("  zendesk   sync ", "triager", NOW)
    assert new.plain.startswith(tokens.PREFIX) and len(new.plain) > 40
    stored = db.session.scalar(select(ApiToken))
    assert (stored.name, stored.role, stored.created_at) == ("zendesk sync", "triager", NOW)
    assert stored.token_hash == hashlib.sha256(new.plain.encode()).hexdigest()
    assert new.plain not in (stored.token_hash, stored.name)
    assert tokens.verify_token(new.plain, NOW).id == stored.id
    assert tokens.verify_token(new.plain + "x", NOW) is None and tokens.verify_token("", NOW) is None
    assert tokens.create_token("other", "viewer", NOW).plain != new.plain
    tokens.revoke_token(stored.id, NOW + timedelta(hours=1))
    tokens.revoke_token(stored.id, NOW + timedelta(hours=2))  # twice: the first time is kept
    assert db.session.get(ApiToken, stored.id).revoked_at == NOW + timedelta(hours=1)
    assert tokens.verify_token(new.plain, NOW + timedelta(hours=3)) is None


def test_last_use_is_recorded_once_in_a_while_not_on_every_request(app):
    new = tokens.create_token("dashboard", "viewer", NOW)
    tokens.verify_token(new.plain, NOW)
    tokens.verify_token(new.plain, NOW + timedelta(minutes=5))
    assert db.session.get(ApiToken, new.record.id).last_used_at == NOW
    tokens.verify_token(new.plain, NOW + timedelta(minutes=11))
    db.session.expire_all()
    assert db.session.get(ApiToken, new.record.id).last_used_at == NOW + timedelta(minutes=11)


@pytest.mark.parametrize("name, role, message", [("", "admin", "name"), ("x" * 101, "admin", "100"),
                                                 ("ok", "owner", "role")])
def test_bad_tokens_are_refused(app, name, role, message):
    with pytest.raises(tokens.TokenError, match=message):
        tokens.create_token(name, role, NOW)
    assert db.session.scalar(select(ApiToken)) is None
    with pytest.raises(tokens.TokenError, match="no token 9"):
        tokens.revoke_token(9, NOW)


def test_the_cli_prints_a_new_token_last_lists_and_revokes(app, client):
    created = run(app, "tokens", "create", "zendesk", "--role", "viewer")
    assert created.exit_code == 0, created.output
    lines = created.output.strip().splitlines()
    assert "shown only this once" in lines[0]
    plain = lines[-1]
    token = tokens.verify_token(plain, NOW)
    assert token.role == "viewer" and token.name == "zendesk"
    assert run(app, "tokens", "create", "intake").exit_code == 0  # triager by default
    assert db.session.scalars(select(ApiToken.role).order_by(ApiToken.id)).all() == ["viewer", "triager"]
    listing = run(app, "tokens", "list").output.splitlines()
    assert listing[0].startswith(f"{token.id}\tzendesk\tviewer\t") and listing[0].endswith("active")
    assert plain not in run(app, "tokens", "list").output
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/fixes", headers=headers).status_code == 200
    revoked = run(app, "tokens", "revoke", str(token.id))
    assert revoked.exit_code == 0 and "Revoked token" in revoked.output
    assert "revoked" in run(app, "tokens", "list").output.splitlines()[0]
    assert client.get("/api/v1/fixes", headers=headers).status_code == 401
    missing = run(app, "tokens", "revoke", "999")
    assert missing.exit_code != 0 and "no token 999" in missing.output
    assert run(app, "tokens", "create", "x", "--role", "owner").exit_code != 0
