import pytest

import config


def load(tmp_path, **env):
    return config.load({f"FEEDBACK_{k}": v for k, v in env.items()}, instance_path=tmp_path)


def test_defaults_use_sqlite_in_the_instance_folder_and_show_mail_locally(tmp_path):
    settings = load(tmp_path)
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'feedback.db'}"
    assert settings["MAIL_TRANSPORT"] == "console"
    assert settings["BASE_URL"] == "http://127.0.0.1:5000"
    # The generated key is kept, so signed links survive a restart.
    assert load(tmp_path)["SECRET_KEY"] == settings["SECRET_KEY"] and len(settings["SECRET_KEY"]) > 30


def test_smtp_host_switches_to_smtp_with_starttls(tmp_path):
    settings = load(tmp_path, SMTP_HOST="mail.example.com", SMTP_PORT="2525")
    assert (settings["MAIL_TRANSPORT"], settings["SMTP_PORT"], settings["SMTP_TLS"]) == ("smtp", 2525, "starttls")


def test_postgres_urls_get_the_shipped_driver(tmp_path):
    url = load(tmp_path, DATABASE_URL="postgres://u:p@db/feedback")["SQLALCHEMY_DATABASE_URI"]
    assert url == "postgresql+psycopg://u:p@db/feedback"


@pytest.mark.parametrize("name, value", [
    ("SMTP_PORT", "smtp"), ("SMTP_PORT", "70000"), ("SMTP_TLS", "maybe"), ("BASE_URL", "example.com"),
    ("MAIL_FROM", "nobody"), ("DATABASE_URL", "feedback.db"), ("SECRET_KEY", "short"),
    ("SURVEY_COOLDOWN_DAYS", "-1"), ("REMINDER_AFTER_DAYS", "0"), ("ENCODER", "maybe"),
])
def test_a_bad_value_names_its_setting(tmp_path, name, value):
    with pytest.raises(config.ConfigError, match=f"FEEDBACK_{name}"):
        load(tmp_path, **{name: value})


def test_smtp_timeouts_default_to_what_the_conversation_needs_and_are_checked(tmp_path):
    settings = load(tmp_path)
    assert (settings["SMTP_TIMEOUT"], settings["SMTP_DATA_TIMEOUT"]) == (60, 600)  # RFC 5321: 10 min after DATA
    assert (load(tmp_path, SMTP_TIMEOUT="5", SMTP_DATA_TIMEOUT="30")["SMTP_DATA_TIMEOUT"]) == 30
    for name, value in (("SMTP_TIMEOUT", "0"), ("SMTP_TIMEOUT", "soon"), ("SMTP_DATA_TIMEOUT", "7200")):
        with pytest.raises(config.ConfigError, match=f"FEEDBACK_{name}"):
            load(tmp_path, **{name: value})


def test_the_optional_encoder_is_used_when_installed_unless_switched_off(tmp_path):
    assert load(tmp_path)["ENCODER"] is True
    assert load(tmp_path, ENCODER="off")["ENCODER"] is False and load(tmp_path, ENCODER=" On ")["ENCODER"] is True
