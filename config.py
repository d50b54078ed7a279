"""Settings, read once from the environment (prefix FEEDBACK_).

Every setting is parsed and checked here, so a bad value stops start-up with a message that names
the setting instead of failing later inside a request or a mail sweep.
"""
from __future__ import annotations

import os
import secrets
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

PREFIX = "FEEDBACK_"


class ConfigError(ValueError):
    """A setting has a value the app cannot run with."""


def _int(name: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{PREFIX}{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{PREFIX}{name} must be between {low} and {high}, not {value}")
    return value


def _share(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{PREFIX}{name} must be a number between 0 and 1, not {raw!r}") from None
    if not 0 <= value <= 1:
        raise ConfigError(f"{PREFIX}{name} must be between 0 and 1, not {value}")
    return value


def _number(name: str, raw: str, low: float, high: float) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{PREFIX}{name} must be a number, not {raw!r}") from None
    if not low <= value <= high:  # also refuses nan
        raise ConfigError(f"{PREFIX}{name} must be between {low:g} and {high:g}, not {value:g}")
    return value


def _days_or_off(name: str, raw: str | None) -> int | None:
    if raw is None or raw.strip().lower() == "off":
        return None
    return _int(name, raw, 0, 3650)


def _stage_settings(get) -> dict:
    """The lifecycle-stage rule's thresholds (retention.stages.StageSettings, whose defaults these are)."""
    days = {name: _int(name, get(name, default), 0, 3650) for name, default in (
        ("STAGE_NEW_DAYS", "30"), ("STAGE_SILENT_FLOOR_DAYS", "14"), ("STAGE_NO_RHYTHM_SILENT_DAYS", "60"),
        ("STAGE_UNHAPPY_DAYS", "90"), ("STAGE_SILENT_UNHAPPY_DAYS", "365"))}
    gaps = _int("STAGE_RHYTHM_GAPS", get("STAGE_RHYTHM_GAPS", "6"), 1, 50)
    return {
        **days,
        # Silent after more than this many of the customer's own usual gaps without activity.
        "STAGE_SILENT_FACTOR": _number("STAGE_SILENT_FACTOR", get("STAGE_SILENT_FACTOR", "3"), 0.1, 100),
        "STAGE_RHYTHM_GAPS": gaps,
        # A rhythm needs at least two gaps, and no more active days than the gaps it reads.
        "STAGE_MIN_ACTIVE_DAYS": _int("STAGE_MIN_ACTIVE_DAYS", get("STAGE_MIN_ACTIVE_DAYS", "3"), 2, gaps + 1),
        # off: a customer with no activity at all is never silent (a team that imports none would see everyone go).
        "STAGE_NEVER_ACTIVE_SILENT_DAYS": _days_or_off("STAGE_NEVER_ACTIVE_SILENT_DAYS",
                                                       get("STAGE_NEVER_ACTIVE_SILENT_DAYS")),
    }


def _switch(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value not in ("on", "off", "true", "false", "yes", "no", "1", "0"):
        raise ConfigError(f"{PREFIX}{name} must be on or off, not {raw!r}")
    return value in ("on", "true", "yes", "1")


def _base_url(raw: str) -> str:
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{PREFIX}BASE_URL must be an http(s) URL such as https://feedback.example.com, not {raw!r}")
    return raw.rstrip("/")


def _tls(raw: str) -> str:
    value = raw.strip().lower()
    aliases = {"true": "starttls", "yes": "starttls", "1": "starttls", "false": "none", "no": "none", "0": "none"}
    value = aliases.get(value, value)
    if value not in ("starttls", "ssl", "none"):
        raise ConfigError(f"{PREFIX}SMTP_TLS must be starttls, ssl or none (or true/false), not {raw!r}")
    return value


def _ca_file(raw: str | None) -> str | None:
    if raw and not Path(raw).is_file():
        raise ConfigError(f"{PREFIX}SMTP_CA_FILE must be a file of PEM certificates, but {raw!r} is not a file")
    return raw


def _mail_from(raw: str) -> str:
    _, address = parseaddr(raw)
    if "@" not in address:
        raise ConfigError(f"{PREFIX}MAIL_FROM must be an address such as 'Acme <feedback@acme.example>', not {raw!r}")
    return raw


def _database_url(raw: str) -> str:
    if "://" not in raw:
        raise ConfigError(f"{PREFIX}DATABASE_URL must be a URL such as postgresql+psycopg://user@host/db, not {raw!r}")
    if raw.startswith("postgres://") or raw.startswith("postgresql://"):
        # Hosting platforms hand out postgres:// URLs; we ship the psycopg (v3) driver.
        raw = "postgresql+psycopg://" + raw.split("://", 1)[1]
    return raw


def _secret_key(raw: str | None, instance_path: Path) -> str:
    """An explicit key, else one generated once and kept in the instance folder.

    Signed survey links must survive a restart, so a random per-process key would not do.
    """
    if raw:
        if len(raw) < 16:
            raise ConfigError(f"{PREFIX}SECRET_KEY must be at least 16 characters long")
        return raw
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def load(environ: dict[str, str] | None = None, instance_path: Path | None = None) -> dict:
    """Flask config keys from FEEDBACK_* environment variables."""
    env = os.environ if environ is None else environ
    instance = Path(instance_path or Path(__file__).resolve().parent / "instance")

    def get(name: str, default: str | None = None) -> str | None:
        value = env.get(PREFIX + name)
        return default if value is None or value == "" else value

    smtp_host = get("SMTP_HOST")
    return {
        "SQLALCHEMY_DATABASE_URI": _database_url(get("DATABASE_URL", f"sqlite:///{instance / 'feedback.db'}")),
        "SECRET_KEY": _secret_key(get("SECRET_KEY"), instance),
        "BASE_URL": _base_url(get("BASE_URL", "http://127.0.0.1:5000")),
        "SMTP_HOST": smtp_host,
        "SMTP_PORT": _int("SMTP_PORT", get("SMTP_PORT", "587"), 1, 65535),
        "SMTP_USER": get("SMTP_USER"),
        "SMTP_PASSWORD": get("SMTP_PASSWORD"),
        "SMTP_TLS": _tls(get("SMTP_TLS", "starttls" if smtp_host else "none")),
        # A private certificate authority for the SMTP server's certificate (an internal relay); default: the system's.
        "SMTP_CA_FILE": _ca_file(get("SMTP_CA_FILE")),
        # RFC 5321 §4.5.3.2: a short wait for connecting and each command's reply (a timeout there is harmless:
        # nothing was sent), the RFC's 10 minutes for the server's verdict on the message data.
        "SMTP_TIMEOUT": _int("SMTP_TIMEOUT", get("SMTP_TIMEOUT", "60"), 1, 600),
        "SMTP_DATA_TIMEOUT": _int("SMTP_DATA_TIMEOUT", get("SMTP_DATA_TIMEOUT", "600"), 1, 3600),
        "MAIL_FROM": _mail_from(get("MAIL_FROM", "Feedback <feedback@localhost>")),
        # With no SMTP server, emails are printed and shown on the outbox page instead of sent.
        "MAIL_TRANSPORT": "smtp" if smtp_host else "console",
        "SURVEY_COOLDOWN_DAYS": _int("SURVEY_COOLDOWN_DAYS", get("SURVEY_COOLDOWN_DAYS", "30"), 0, 3650),
        "REMINDER_AFTER_DAYS": _int("REMINDER_AFTER_DAYS", get("REMINDER_AFTER_DAYS", "3"), 1, 365),
        "ANSWER_EDIT_HOURS": _int("ANSWER_EDIT_HOURS", get("ANSWER_EDIT_HOURS", "24"), 0, 24 * 365),
        "MAIL_MAX_ATTEMPTS": _int("MAIL_MAX_ATTEMPTS", get("MAIL_MAX_ATTEMPTS", "8"), 1, 100),
        # Below this confidence a verbatim is marked "needs review" and listed first.
        "REVIEW_BELOW": _share("REVIEW_BELOW", get("REVIEW_BELOW", "0.5")),
        # The optional multilingual encoder (the `encoder` extra) refines classifications in the scheduler when
        # installed; off: never used even when installed.
        "ENCODER": _switch("ENCODER", get("ENCODER", "on")),
        "RETRAIN_AFTER_LABELS": _int("RETRAIN_AFTER_LABELS", get("RETRAIN_AFTER_LABELS", "20"), 1, 100_000),
        # The cost/impact grid (triage/fixes/grid.py): impact at or above this is high; cost at or above this is high.
        "IMPACT_HIGH_FROM": _int("IMPACT_HIGH_FROM", get("IMPACT_HIGH_FROM", "35"), 1, 100),
        "COST_HIGH_FROM": _int("COST_HIGH_FROM", get("COST_HIGH_FROM", "3"), 2, 5),
        "IMPACT_HALF_LIFE_DAYS": _int("IMPACT_HALF_LIFE_DAYS", get("IMPACT_HALF_LIFE_DAYS", "90"), 1, 3650),
        # The customer attribute (a CSV column) that says how valuable a customer is, e.g. monthly revenue.
        "IMPACT_VALUE_ATTRIBUTE": get("IMPACT_VALUE_ATTRIBUTE", "mrr"),
        # Unhappy respondents who opted in and were not contacted within this many hours are listed.
        "FOLLOW_UP_HOURS": _int("FOLLOW_UP_HOURS", get("FOLLOW_UP_HOURS", "48"), 1, 24 * 365),
        # How many reverse proxies stand in front of the app; their X-Forwarded-For/-Proto are believed,
        # nobody else's (a client could send those headers itself).
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", get("TRUSTED_PROXIES", "0"), 0, 5),
        **_stage_settings(get),
    }
