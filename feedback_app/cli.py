"""The `feedback` command: the app's Flask CLI (its group and the app-level commands: init-db, scheduler, demo,
dev). Each domain adds its own commands in register(): accounts (users, tokens), surveys (customers, surveys),
mail, triage, privacy (into `customers`), rebuild."""
from __future__ import annotations

import logging
import subprocess
import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from config import ConfigError
from feedback_app.core.clock import utcnow


def _create_app():
    from feedback_app import create_app
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def cli():
    """Customer feedback: surveys by email link, verbatims kept, acted on."""


def main():
    try:
        cli.main(prog_name="feedback")
    except ConfigError as error:
        click.echo(f"Configuration error: {error}", err=True)
        sys.exit(2)


def register(app: Flask) -> None:
    from feedback_app.accounts.cli import tokens, users
    from feedback_app.branding import brand_command
    from feedback_app.mail.cli import mail
    from feedback_app.rebuild import rebuild
    from privacy.cli import COMMANDS as privacy_commands
    from surveys.cli import customers, surveys
    from triage.cli import triage

    for command in privacy_commands:  # export, erase, restore: the customer's rights, in the one `customers` group
        customers.add_command(command)
    for command in (init_db, users, tokens, customers, surveys, mail, scheduler, demo, dev, triage, rebuild,
                    brand_command):
        app.cli.add_command(command)


@click.command("init-db")
@with_appcontext
def init_db():
    """Create or upgrade the database schema (safe to run again)."""
    upgrade(directory=current_app.extensions["migrate"].directory)
    click.echo("Database schema is up to date.")


@click.command("scheduler")
@with_appcontext
def scheduler():
    """Run a scheduler process (mail, reminders, classification, retraining, digests). One or more may run,
    on one machine or several, over the same database."""
    from feedback_app import scheduler as jobs

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # Our jobs log what they did; APScheduler's two lines per run (every 10 s) would drown that out.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    jobs.run(current_app._get_current_object())


@click.command("demo")
@with_appcontext
def demo():
    """Load demo data (a few surveys with answers in en/ar/fa) into an empty database."""
    from feedback_app.demo import load_demo

    click.echo(load_demo(utcnow()))


@click.command("dev")
@click.option("--port", default=5000, show_default=True)
@with_appcontext
def dev(port):
    """Run the web app on 127.0.0.1 and the scheduler beside it (for trying it out)."""
    scheduler_process = subprocess.Popen([sys.executable, "-m", "feedback_app.cli", "scheduler"])
    try:
        run_simple("127.0.0.1", port, current_app._get_current_object(), threaded=True)
    finally:
        scheduler_process.terminate()
        scheduler_process.wait(timeout=10)


if __name__ == "__main__":
    main()
