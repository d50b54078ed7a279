"""The `feedback` command: the app's Flask CLI (its group and the app-level commands: init-db, scheduler, demo,
dev). Each domain adds its own commands in register(): accounts (users, tokens), surveys (customers, surveys),
mail, triage, privacy (into `customers`), retention (activity, retention), rebuild; `customers show` is feedback_app.customers'."""
from __future__ import annotations

import logging
import os
import signal
import socket
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
    from advocacy.cli import advocacy
    from feedback_app.accounts.cli import tokens, users
    from feedback_app.branding import brand_command
    from feedback_app.customers import show_command
    from feedback_app.mail.cli import mail
    from feedback_app.rebuild import rebuild
    from privacy.cli import COMMANDS as privacy_commands
    from retention.cli import activity, retention
    from retention.insight.cli import fit_command, loop_command
    from retention.saving.cli import check_in, win_back
    from surveys.cli import customers, surveys
    from surveys.people.segment_cli import segments
    from triage.cli import triage
    from webhooks.cli import webhooks

    # export, erase, restore: the customer's rights; show: one customer over every domain (the composition root's)
    for command in (*privacy_commands, show_command):
        customers.add_command(command)
    # retention win-back | check-in | loop | fit: the retention sub-packages' commands under its group
    for command in (win_back, check_in, loop_command, fit_command):
        retention.add_command(command)
    for command in (init_db, users, tokens, customers, surveys, mail, scheduler, demo, dev, triage, rebuild,
                    brand_command, activity, retention, segments, webhooks, advocacy):
        app.cli.add_command(command)


@click.command("init-db")
@with_appcontext
def init_db():
    """Create or upgrade the database schema and train the first classifier model (safe to run again)."""
    from triage.classification.learning import active_model, ensure_model

    upgrade(directory=current_app.extensions["migrate"].directory)
    click.echo("Database schema is up to date.")
    # Here, not on the first comment: a new installation's first API call never waits for training.
    if active_model() is None:
        click.echo("Training the first classifier model on the built-in corpus (once, about 10 s)…")
        ensure_model(utcnow(), lambda step: click.echo(f"  {step}"))
    click.echo("The classifier model is ready.")


@click.command("scheduler")
@click.option("--parent-pid", type=int, hidden=True, help="Stop when this process is gone (used by `feedback dev`).")
@with_appcontext
def scheduler(parent_pid):
    """Run a scheduler process (mail, reminders, classification, retraining, digests). One or more may run,
    on one machine or several, over the same database."""
    from feedback_app import scheduler as jobs

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # Our jobs log what they did; APScheduler's two lines per run (every 10 s) would drown that out.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    jobs.run(current_app._get_current_object(), parent_pid)


@click.command("demo")
@with_appcontext
def demo():
    """Load demo data (customers in en/ar/fa, six weeks of answers, fixes) into a database without surveys,
    classify every comment, and say how to sign in. Safe to run again: nothing is added twice."""
    from feedback_app.demo import classify_everything, load_demo
    from feedback_app.mail.transports import sender_address
    from retention.refresh import stage_settings

    config = current_app.config
    click.echo(load_demo(utcnow(), config["REVIEW_BELOW"], sender_address(config), click.echo,
                         settings=stage_settings(config), value_attribute=config["IMPACT_VALUE_ATTRIBUTE"]).summary())
    click.echo("Classifying the comments (the scheduler's sweep, run now)…")
    classified = classify_everything(utcnow(), config["REVIEW_BELOW"], click.echo)
    click.echo(f"{classified} comments classified: the dashboard shows their types and themes."
               if classified else "Every comment is classified.")
    click.echo(_sign_in_hint(config["BASE_URL"]))


def _sign_in_hint(url: str) -> str:
    from feedback_app.demo import demo_sign_in

    account = demo_sign_in()
    if account is None:
        return f"Sign in at {url} with your account (make one: feedback users create EMAIL --role admin)."
    return f"Sign in at {url} as {account[0]} with password {account[1]}."


@click.command("dev")
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@with_appcontext
def dev(port):
    """Run the web app on 127.0.0.1 and the scheduler beside it (for trying it out)."""
    if not _port_is_free(port):
        raise click.ClickException(f"port {port} is in use (another `make run`?). Stop that program, or use "
                                   f"another port: make run PORT={_another_port(port)} "
                                   f"(or feedback dev --port {_another_port(port)}).")
    url = f"http://127.0.0.1:{port}"
    click.echo(_banner(url, port, current_app.config["BASE_URL"]))
    # Its own session, so Ctrl+C reaches only this process, which then asks the scheduler to stop exactly once (a
    # second signal would end it at once, mid-email); the scheduler also stops if this process is killed outright.
    scheduler_process = subprocess.Popen([sys.executable, "-m", "feedback_app.cli", "scheduler",
                                          "--parent-pid", str(os.getpid())], start_new_session=True)
    signal.signal(signal.SIGTERM, _interrupt)  # a SIGTERM stops dev as Ctrl+C does, scheduler included
    try:
        run_simple("127.0.0.1", port, current_app._get_current_object(), threaded=True)
    finally:
        _stop_scheduler(scheduler_process)


def _interrupt(_signum, _frame):
    raise KeyboardInterrupt


def _stop_scheduler(process: subprocess.Popen, patience: float = 60) -> None:
    """Ask once, wait for the running step (a first model's training takes ~10 s), and only then end it."""
    process.terminate()
    try:
        process.wait(timeout=patience)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _banner(url: str, port: int, base_url: str) -> str:
    """What `make run` shows on every start: where the app is, how to sign in, how to use another port."""
    lines = [f"Feedback runs at {url} (the scheduler beside it). Stop with Ctrl+C.", _sign_in_hint(url),
             f"Another port: make run PORT={_another_port(port)} (or feedback dev --port {_another_port(port)})."]
    if base_url.rstrip("/") != url:
        lines.append(f"Links in emails point to {base_url} (FEEDBACK_BASE_URL).")
    rule = "─" * max(len(line) for line in lines)
    return "\n".join([rule, *lines, rule])


def _another_port(port: int) -> int:
    return port + 1 if port < 65535 else port - 1


def _port_is_free(port: int) -> bool:
    """Whether the web app can listen on 127.0.0.1:port (checked before the scheduler starts, so a taken
    port leaves nothing running)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does: TIME_WAIT is free
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


if __name__ == "__main__":
    main()
