"""The outbox's own MIME writer (feedback_app/mail/mime.py): what it writes, read back by the email package, is
exactly what was given — for any subject, header value and body — and obeys the line rules of RFC 5322."""
import email
import email.policy
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedback_app.mail import mime
from feedback_app.mail.render import OutgoingEmail, build_message, message_id, wire_message

SENDER = "Acme Feedback <feedback@acme.test>"
# Any text a template or a team could produce, lone surrogates aside (no database stores them).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=400)
LINE = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)


def read_back(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=email.policy.default)


def normalised(text: str) -> str:
    """Line ends as a mail reader returns them: each CR LF, lone CR or LF is one line break."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def check_lines(data: bytes) -> None:
    assert data.isascii()
    lines = data.split(b"\r\n")
    assert lines[-1] == b"" and b"\n" not in data.replace(b"\r\n", b"") and b"\r" not in data.replace(b"\r\n", b"")
    assert max(len(line) for line in lines) <= mime.HARD_LIMIT


@settings(max_examples=300, deadline=None)
@given(subject=LINE, text=TEXT, html=TEXT, note=LINE)
def test_what_is_written_reads_back_exactly(subject, text, html, note):
    subject = " ".join(subject.split())  # as render_email makes every subject
    outgoing = OutgoingEmail("survey-invitation:7", "ana@example.com", subject, text, html, {"X-Note": note})
    wire = wire_message(outgoing, SENDER)
    check_lines(wire.data)
    message = read_back(wire.data)
    assert not message.defects and not any(part.defects for part in message.iter_parts())
    assert message["Subject"] == subject
    assert message["X-Note"].strip(" ") == note.strip(" ")  # a value's outer spaces may be lost (RFC 5322 folding)
    assert normalised(message.get_body(("plain",)).get_content()) == normalised(text)
    assert normalised(message.get_body(("html",)).get_content()) == normalised(html)


def test_an_invitation_reads_as_the_email_package_would_have_built_it():
    outgoing = OutgoingEmail("survey-invitation:7", "reza@example.com", "نظر شما درباره‌ی Acme چیست؟",
                             "سلام رضا،\n\nبه ما بگویید.\n", "<p dir=\"rtl\">سلام</p>\n" + "<a href=\"x\">9</a>" * 40,
                             {"List-Unsubscribe": "<https://feedback.example.com/unsubscribe/" + "t" * 120 + ">",
                              "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
    ours = read_back(wire_message(outgoing, SENDER).data)
    theirs = read_back(bytes(build_message(outgoing, SENDER)))
    for name in ("From", "To", "Subject", "Message-ID", "List-Unsubscribe-Post"):
        assert str(ours[name]) == str(theirs[name]), name
    assert ours["List-Unsubscribe"] == outgoing.headers["List-Unsubscribe"]  # on one line, never encoded
    assert ours.get_content_type() == theirs.get_content_type() == "multipart/alternative"
    for kind in ("plain", "html"):
        assert (normalised(ours.get_body((kind,)).get_content()).rstrip("\n")
                == normalised(theirs.get_body((kind,)).get_content()).rstrip("\n"))
    assert ours["Message-ID"] == message_id("survey-invitation:7", SENDER)


@pytest.mark.parametrize("sender, header", [
    ("Acme Feedback <feedback@acme.test>", "From: Acme Feedback <feedback@acme.test>"),
    ('"Acme, Inc." <f@acme.test>', 'From: "Acme, Inc." <f@acme.test>'),
    ("f@acme.test", "From: f@acme.test"),
])
def test_the_from_line(sender, header):
    assert wire_message(OutgoingEmail("k", "a@example.com", "s", "t", "h"), sender).data.decode().split("\r\n")[0] == header


def test_a_non_ascii_sender_name_is_encoded_and_reads_back():
    wire = wire_message(OutgoingEmail("k", "a@example.com", "s", "t", "h"), "بازخورد Acme <f@acme.test>")
    assert not wire.smtputf8 and read_back(wire.data)["From"] == "بازخورد Acme <f@acme.test>"


@pytest.mark.parametrize("recipient, sender", [("رضا@example.com", SENDER), ("a@bücher.example", SENDER),
                                               ("a@example.com", "Acme <f@bücher.example>")])
def test_an_address_that_is_not_ascii_is_left_to_the_email_package_with_smtputf8(recipient, sender):
    wire = wire_message(OutgoingEmail("k:1", recipient, "s", "t\n", "<p>h</p>"), sender)
    assert wire.smtputf8 and read_back(wire.data)["To"] == recipient


def test_a_header_that_tries_to_start_another_header_stays_one_header():
    wire = wire_message(OutgoingEmail("k", "a@example.com", "hi\r\nBcc: victim@example.com", "t", "h"), SENDER)
    message = read_back(wire.data)
    assert message["Bcc"] is None and "victim@example.com" in message["Subject"]


def test_a_long_plain_subject_is_folded_at_spaces_and_long_words_are_never_split():
    subject = " ".join(["word"] * 40 + ["x" * 120])
    lines = mime.header("Subject", subject).split("\r\n")
    assert all(len(line) <= mime.SOFT_LIMIT for line in lines[:-1]) and lines[-1] == " " + "x" * 120
    assert re.sub(r"\r\n ", " ", mime.header("Subject", subject)) == "Subject: " + subject


def test_encoded_words_never_split_a_character():
    text = "نظر شما 😀 درباره‌ی " * 6
    words = mime.encoded_words(text)
    assert len(words) > 3 and all(len(word) <= 75 for word in words)
    parts = [__import__("base64").b64decode(word[len("=?utf-8?b?"):-2]).decode("utf-8") for word in words]
    assert "".join(parts) == text  # each word decodes on its own


def test_ascii_parts_go_quoted_printable_and_others_base64():
    wire = wire_message(OutgoingEmail("k", "a@example.com", "s", "plain text\n", "<p>سلام</p>\n"), SENDER).data
    assert b"Content-Type: text/plain; charset=\"utf-8\"\r\nContent-Transfer-Encoding: quoted-printable" in wire
    assert b"Content-Type: text/html; charset=\"utf-8\"\r\nContent-Transfer-Encoding: base64" in wire
    assert read_back(wire).get_body(("html",)).get_content() == "<p>سلام</p>\r\n"
