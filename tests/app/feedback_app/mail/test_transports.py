"""Mail over TLS, as production sends it: STARTTLS and implicit TLS to a real SMTP server whose
certificate is checked (name and chain), and refused when it cannot be trusted."""
from __future__ import annotations

import email
import ssl

import pytest
import trustme
from aiosmtpd.controller import Controller

from feedback_app.mail.delivery_policy import ServerUnavailable
from feedback_app.mail.render import OutgoingEmail, build_message
from feedback_app.mail.transports import SMTPTransport
from tests.support.postgres import free_port

SENDER = "Acme Feedback <feedback@acme.test>"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        encrypted = server.transport.get_extra_info("ssl_object") is not None
        self.messages.append((encrypted, email.message_from_bytes(envelope.content)))
        return "250 OK"


class ImplicitTLS(Controller):
    """SMTPS: TLS from the first byte (port 465 style)."""

    def __init__(self, handler, context, **kwargs):
        super().__init__(handler, ssl_context=context, **kwargs)


@pytest.fixture(scope="module")
def authority(tmp_path_factory):
    ca = trustme.CA()
    directory = tmp_path_factory.mktemp("ca")
    ca_file = directory / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(server_context)
    return ca_file, server_context


def outgoing(key: str) -> OutgoingEmail:
    return OutgoingEmail(key, "ana@example.com", "Hello", "Hi Ana\n", "<p>Hi Ana</p>")


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_mail_goes_over_tls_to_a_server_whose_certificate_is_checked(authority, mode):
    ca_file, server_context = authority
    inbox, port = Inbox(), free_port()
    if mode == "starttls":  # the server refuses mail until the client has switched to TLS
        controller = Controller(inbox, hostname="localhost", port=port, tls_context=server_context,
                                require_starttls=True)
    else:
        controller = ImplicitTLS(inbox, server_context, hostname="localhost", port=port)
    controller.start()
    try:
        transport = SMTPTransport("localhost", port, None, None, mode, timeout=5, data_timeout=5,
                                  ca_file=str(ca_file))
        for n in range(3):
            transport.send(build_message(outgoing(f"survey-invitation:{n}"), SENDER))
        transport.close()
    finally:
        controller.stop()
    assert [encrypted for encrypted, _ in inbox.messages] == [True, True, True]
    assert [m["Message-ID"] for _, m in inbox.messages] == [f"<survey-invitation.{n}@acme.test>" for n in range(3)]


def test_a_certificate_the_client_cannot_trust_is_refused_before_any_mail_leaves(authority):
    _, server_context = authority
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="localhost", port=port, tls_context=server_context, require_starttls=True)
    controller.start()
    try:
        transport = SMTPTransport("localhost", port, None, None, "starttls", timeout=5, data_timeout=5)  # system CAs
        with pytest.raises(ServerUnavailable) as refused:  # the run stops: every email would meet the same
            transport.send(build_message(outgoing("survey-invitation:1"), SENDER))
        assert isinstance(refused.value.__cause__, ssl.SSLCertVerificationError)
        transport.close()
    finally:
        controller.stop()
    assert inbox.messages == []


def test_the_ca_file_setting_must_name_a_file(tmp_path):
    import config

    with pytest.raises(config.ConfigError, match="SMTP_CA_FILE"):
        config.load({"FEEDBACK_SMTP_CA_FILE": str(tmp_path / "missing.pem"),
                     "FEEDBACK_SECRET_KEY": "x" * 20}, instance_path=tmp_path)
