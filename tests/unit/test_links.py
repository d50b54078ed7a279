from surveys.links import Links


def test_tokens_round_trip_and_cannot_be_forged():
    links = Links("one-secret-key-long-enough")
    token = links.invitation_token(42)
    assert links.invitation_id(token) == 42
    assert links.invitation_id(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert Links("another-secret-key-entirely").invitation_id(token) is None
    assert links.invitation_id("") is None and links.invitation_id("x" * 500) is None


def test_a_token_for_one_purpose_is_useless_for_another():
    links = Links("one-secret-key-long-enough")
    assert links.customer_id(links.invitation_token(7)) is None
    assert links.invitation_id(links.unsubscribe_token(7)) is None
    assert links.customer_id(links.unsubscribe_token(7)) == 7
