from sqlalchemy import select

from feedback_app.core.extensions import db
from surveys.answering.links import SignedInvitation, invitation_token
from surveys.models import Customer
from surveys.people.links import unsubscribe_url
from tests.support.factories import add_customers


def path(app, customer):
    return unsubscribe_url(customer.id).removeprefix(app.config["BASE_URL"])


def unsubscribed(email):
    db.session.expire_all()
    return db.session.scalar(select(Customer.unsubscribed_at).where(Customer.email == email)) is not None


def test_opening_the_link_does_not_unsubscribe_but_the_button_does(app, client):
    (ana,) = add_customers(("ana@example.com", "Ana", "en"))
    page = client.get(path(app, ana))
    assert page.status_code == 200 and b"Unsubscribe me" in page.data and not unsubscribed("ana@example.com")
    done = client.post(path(app, ana))
    assert b"You are unsubscribed" in done.data and unsubscribed("ana@example.com")


def test_rfc8058_one_click_post_from_the_mail_provider(app, client):
    (sara,) = add_customers(("sara@example.com", "سارة", "ar"))
    reply = client.post(path(app, sara), data={"List-Unsubscribe": "One-Click"})
    assert reply.status_code == 200 and reply.mimetype == "text/plain" and unsubscribed("sara@example.com")


def test_forged_unsubscribe_link_changes_nothing(app, client):
    (ana,) = add_customers(("ana@example.com", "Ana", "en"))
    survey_token = invitation_token(SignedInvitation(ana.id, 1, "nps", "en"))  # right id, wrong purpose
    assert client.post(f"/u/{survey_token}").status_code == 404
    assert client.post(path(app, ana)[:-3] + "abc").status_code == 404
    assert not unsubscribed("ana@example.com")
