from feedback_app.core.links import LinkSigning
from surveys.answering.links import INVITATION, SignedInvitation, invitation_id, invitation_token, read_invitation
from surveys.people.links import unsubscribe_token, unsubscribing_customer_id
from triage.loop.advise import advise_token, read_advise
from triage.loop.early_access import early_access_token, read_early_access

INVITATION_ = SignedInvitation(42, 3, "csat", "ar")
SECRET = "one-secret-key-long-enough"


def signing(secret: str = SECRET) -> LinkSigning:
    return LinkSigning(secret, "https://feedback.example")


def test_tokens_round_trip_and_cannot_be_forged():
    links = signing()
    token = invitation_token(INVITATION_, links)
    assert read_invitation(token, links) == INVITATION_ and invitation_id(token, links) == 42
    assert invitation_id(token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB"), links) is None
    assert invitation_id(token.replace("42.3", "43.3"), links) is None  # the payload is signed too
    assert invitation_id(token, signing("another-secret-key-entirely")) is None
    assert invitation_id("", links) is None and invitation_id("x" * 500, links) is None


def test_a_token_for_one_purpose_is_useless_for_another():
    links = signing()
    assert unsubscribing_customer_id(invitation_token(INVITATION_, links), links) is None
    assert invitation_id(unsubscribe_token(7, links), links) is None
    assert unsubscribing_customer_id(unsubscribe_token(7, links), links) == 7
    assert read_early_access(unsubscribe_token(7, links), links) is None
    assert unsubscribing_customer_id(early_access_token(5, 7, links), links) is None
    assert read_early_access(early_access_token(5, 7, links), links) == (5, 7)
    # "Would you advise us?" carries the same payload as "try it early", signed for its own purpose.
    assert read_advise(early_access_token(5, 7, links), links) is None
    assert read_early_access(advise_token(5, 7, links), links) is None
    assert read_advise(advise_token(5, 7, links), links) == (5, 7)


def test_a_signed_payload_of_the_wrong_shape_is_refused():
    links = signing()
    for payload in ("7.1.no-such-kind.en", "seven.1.nps.en", "7.1.nps.de", "7.1.nps", "7"):
        assert read_invitation(links.sign_text(INVITATION, payload), links) is None


# Made by the code before the signed-link service (surveys/answering/links.py's Links, with SECRET): links
# already in customers' mailboxes. Their formats and purposes (salts) never change, so they still open.
EMAILED_BEFORE = {
    "invitation": "42.3.csat.ar.Pjn7wpXHJb_QWpZo3vNCC61rvwo",
    "unsubscribe": "Nw.RiP4LRpTitrdt-Yr4i1eftw_kkY",
    "early_access": "WzUsN10.Aywcqk2EJAEJN-O-JhRCOSqa0RU",
}


def test_links_emailed_before_the_signed_link_service_still_open_and_are_made_the_same():
    links = signing()
    assert read_invitation(EMAILED_BEFORE["invitation"], links) == INVITATION_
    assert unsubscribing_customer_id(EMAILED_BEFORE["unsubscribe"], links) == 7
    assert read_early_access(EMAILED_BEFORE["early_access"], links) == (5, 7)
    assert invitation_token(INVITATION_, links) == EMAILED_BEFORE["invitation"]
    assert unsubscribe_token(7, links) == EMAILED_BEFORE["unsubscribe"]
    assert early_access_token(5, 7, links) == EMAILED_BEFORE["early_access"]
