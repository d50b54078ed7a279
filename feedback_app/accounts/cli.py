"""`feedback users …` and `feedback tokens …`: team accounts (create, list, set-password, set-role, deactivate,
activate) and the API's bearer tokens (create, list, revoke) from the command line. Each command calls one
service; errors exit non-zero with the reason."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from feedback_app.accounts import services
from feedback_app.accounts.models import ROLES
from feedback_app.accounts.tokens import TokenError, create_token, list_tokens, revoke_token
from feedback_app.core.cli_args import ID
from feedback_app.core.clock import utcnow


@click.group()
def users():
    """Team accounts."""


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@with_appcontext
def users_create(email, role):
    """Create a team user; the password is read from standard input."""
    user = _run(services.create_user, email, _read_password(), role)
    click.echo(f"Created {user.role} {user.email}.")


@users.command("list")
@with_appcontext
def users_list():
    """One line per user: id, email, role, active or deactivated, created."""
    for user in services.list_users():
        state = "active" if user.active else "deactivated"
        click.echo(f"{user.id}\t{user.email}\t{user.role}\t{state}\tcreated {user.created_at:%Y-%m-%d %H:%M}")


@users.command("set-password")
@click.argument("email")
@with_appcontext
def users_set_password(email):
    """Set a user's password (read from standard input); every session of theirs ends."""
    user = _run(services.find_user, email)
    _run(services.set_password, user, _read_password())
    click.echo(f"Set a new password for {user.email}; every session of theirs has ended.")


@users.command("set-role")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@with_appcontext
def users_set_role(email, role):
    """Change a user's role; it applies from their next request."""
    user = _run(services.set_role, _run(services.find_user, email), role)
    click.echo(f"{user.email} is now {user.role}.")


@users.command("deactivate")
@click.argument("email")
@with_appcontext
def users_deactivate(email):
    """Stop a user from signing in, and end every session of theirs now."""
    user = _run(services.deactivate_user, _run(services.find_user, email))
    click.echo(f"Deactivated {user.email}; every session of theirs has ended.")


@users.command("activate")
@click.argument("email")
@with_appcontext
def users_activate(email):
    """Let a deactivated user sign in again (with their password)."""
    user = _run(services.activate_user, _run(services.find_user, email))
    click.echo(f"Activated {user.email}.")


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def _run(use_case, *args):
    try:
        return use_case(*args)
    except services.AccountError as error:
        raise click.ClickException(str(error)) from None


# ------------------------------------------------------------------ API tokens

@click.group()
def tokens():
    """Bearer tokens for the JSON API (/api/v1)."""


@tokens.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), default="triager", show_default=True,
              help="viewer tokens only read; triager and admin tokens also write.")
@with_appcontext
def tokens_create(name, role):
    """Create a token; it is printed once, as the last line, and only its hash is kept."""
    try:
        new = create_token(name, role, utcnow())
    except TokenError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {role} token {new.record.id} “{new.record.name}”. It is shown only this once; "
               "store it now (only its hash is kept):")
    click.echo(new.plain)


@tokens.command("list")
@with_appcontext
def tokens_list():
    """One line per token: id, name, role, created, last used, and whether it is revoked."""
    def day(moment):
        return moment.strftime("%Y-%m-%d %H:%M") if moment else "never"

    for token in list_tokens():
        state = f"revoked {day(token.revoked_at)}" if token.revoked_at else "active"
        click.echo(f"{token.id}\t{token.name}\t{token.role}\tcreated {day(token.created_at)}"
                   f"\tlast used {day(token.last_used_at)}\t{state}")


@tokens.command("revoke")
@click.argument("token_id", type=ID)
@with_appcontext
def tokens_revoke(token_id):
    """Revoke a token at once; requests with it get 401 from then on."""
    try:
        token = revoke_token(token_id, utcnow())
    except TokenError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Revoked token {token.id} “{token.name}”.")
