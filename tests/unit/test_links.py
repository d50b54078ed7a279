from surveys.asking.links import Links, SignedInvitation

INVITATION = SignedInvitation(42, 3, "csat", "ar")


def test_tokens_round_trip_and_cannot_be_forged():
    links = Links("one-secret-key-long-enough")
    token = links.invitation_token(INVITATION)
    assert links.invitation(token) == INVITATION and links.invitation_id(token) == 42
    assert links.invitation_id(token[:-4] + ("AAAA" if token[-4:] != "AAAA" else "BBBB")) is None
    assert links.invitation_id(token.replace("42.3", "43.3")) is None  # the payload is signed too
    assert Links("another-secret-key-entirely").invitation_id(token) is None
    assert links.invitation_id("") is None and links.invitation_id("x" * 500) is None


def test_a_token_for_one_purpose_is_useless_for_another():
    links = Links("one-secret-key-long-enough")
    assert links.customer_id(links.invitation_token(INVITATION)) is None
    assert links.invitation_id(links.unsubscribe_token(7)) is None
    assert links.customer_id(links.unsubscribe_token(7)) == 7


def test_a_signed_payload_of_the_wrong_shape_is_refused():
    links = Links("one-secret-key-long-enough")
    for payload in ("7.1.no-such-kind.en", "seven.1.nps.en", "7.1.nps.de", "7.1.nps", "7"):
        assert links.invitation(links._invitation.sign(payload).decode()) is None
