"""The segments page, `feedback segments …` and the customers list by segment, on SQLite and PostgreSQL."""
import re

import pytest
from sqlalchemy import func, select

from feedback_app.accounts.services import create_user
from feedback_app.core.extensions import db
from surveys.models import Customer, Segment
from surveys.people.importing import CustomerRow, ParsedCSV
from surveys.people import views
from surveys.people.services import import_customers

PASSWORD = "long-enough-password"


@pytest.fixture
def customers(app):
    # 3 pro customers (mrr 50, 150, "n/a") and 2 free: "plan = pro" holds 3, with "mrr >= 100" 1.
    rows = [CustomerRow(n + 2, f"c{n}@example.com", None, "en", attributes) for n, attributes in enumerate([
        {"plan": "pro", "mrr": "50"}, {"plan": "pro", "mrr": "150"}, {"plan": "pro", "mrr": "n/a"},
        {"plan": "free"}, {"plan": "free", "mrr": "500"}])]
    import_customers(ParsedCSV(rows=rows))


def sign_in(client, role):
    email = f"{role}@example.com"
    create_user(email, PASSWORD, role)
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def segment_count():
    return db.session.scalar(select(func.count()).select_from(Segment))


def test_a_triager_saves_a_segment_and_sees_its_size(app, client, customers):
    sign_in(client, "triager")
    reply = client.post("/segments", data={"name": "Big pro", "rules": "plan = pro\r\n\r\nmrr >= 100\r\n"})
    assert reply.status_code == 302
    segment = db.session.scalar(select(Segment))
    assert (segment.name, segment.rules) == ("Big pro", ["plan = pro", "mrr >= 100"])
    page = client.get("/segments").get_data(as_text=True)
    assert "Big pro" in page and "<code>mrr &gt;= 100</code>" in page
    assert "<td>1</td>" in page                                      # only c1: pro with mrr 150


@pytest.mark.parametrize("data, field, says", [
    ({"name": "", "rules": "plan = pro"}, "name", "needs a name"),
    ({"name": "x", "rules": ""}, "rules", "at least one rule"),
    ({"name": "x", "rules": "plan = pro\nmrr >= lots"}, "rules", "Rule 2: mrr &gt;= needs a number"),
    ({"name": "x", "rules": "stage = sleeping"}, "rules", "stage is one of"),
    ({"name": "x" * 81, "rules": "plan = pro"}, "name", "at most 80"),
])
def test_errors_are_shown_beside_the_field_and_nothing_is_saved(app, client, customers, data, field, says):
    sign_in(client, "triager")
    reply = client.post("/segments", data=data)
    assert reply.status_code == 400
    html = reply.get_data(as_text=True)
    assert f'<p class="error" id="{field}-error">' in html and says in html
    assert segment_count() == 0


def test_a_taken_name_is_refused(app, client, customers):
    sign_in(client, "admin")
    client.post("/segments", data={"name": "Pro", "rules": "plan = pro"})
    reply = client.post("/segments", data={"name": " Pro ", "rules": "plan = free"})
    assert reply.status_code == 400 and "exists already" in reply.get_data(as_text=True)
    assert segment_count() == 1


def test_a_viewer_reads_but_cannot_change(app, client, customers):
    run(app, "segments", "add", "Pro", "--rule", "plan = pro")
    sign_in(client, "viewer")
    page = client.get("/segments").get_data(as_text=True)
    assert "Pro" in page and "Save segment" not in page and "Delete" not in page
    segment = db.session.scalar(select(Segment))
    assert client.post("/segments", data={"name": "x", "rules": "plan = pro"}).status_code == 403
    assert client.post(f"/segments/{segment.id}/delete").status_code == 403
    assert segment_count() == 1


def test_delete(app, client, customers):
    run(app, "segments", "add", "Pro", "--rule", "plan = pro")
    segment_id = db.session.scalar(select(Segment.id))
    sign_in(client, "triager")
    assert client.post(f"/segments/{segment_id}/delete").status_code == 302
    assert segment_count() == 0
    assert client.post(f"/segments/{segment_id}/delete").status_code == 404


def test_the_customers_list_by_segment(app, client, customers):
    run(app, "segments", "add", "Pro", "--rule", "plan = pro")
    segment_id = db.session.scalar(select(Segment.id))
    sign_in(client, "viewer")
    page = client.get(f"/customers?segment={segment_id}").get_data(as_text=True)
    assert [f"c{n}@example.com" in page for n in range(5)] == [True, True, True, False, False]
    assert "In the segment “Pro”" in page
    for unknown in (segment_id + 1, "x", "0", "99999999999"):
        assert client.get(f"/customers?segment={unknown}").status_code == 404


def test_the_command_line(app, customers):
    added = run(app, "segments", "add", "Big pro", "--rule", "plan = pro", "--rule", "mrr >= 100")
    assert added.exit_code == 0, added.output
    segment_id = db.session.scalar(select(Segment.id))
    assert added.output.strip().splitlines()[-1] == str(segment_id)   # the id last, for scripts
    listed = run(app, "segments", "list")
    assert listed.output == f"{segment_id}\tBig pro\t1\tplan = pro AND mrr >= 100\n"
    shown = run(app, "segments", "show", "Big pro")
    c1 = db.session.scalar(select(Customer.id).where(Customer.email == "c1@example.com"))
    assert "1 customer\n" in shown.output and f"  {c1}\tc1@example.com" in shown.output
    refused = run(app, "segments", "add", "Bad", "--rule", "mrr > lots")
    assert refused.exit_code != 0 and "needs a number" in refused.output and segment_count() == 1
    missing = run(app, "segments", "show", "Nope")
    assert missing.exit_code != 0 and "no segment named 'Nope'" in missing.output
    assert run(app, "segments", "delete", "Big pro").exit_code == 0 and segment_count() == 0
    assert run(app, "segments", "delete", "Big pro").exit_code != 0


def test_a_sparse_segment_s_pages_read_a_bounded_number_of_customers(app, client, customers, monkeypatch):
    """"plan = free" holds c3 and c4 (ids 4 and 5). Pages of 1 reading at most 2 customers each: page 1 reads
    ids 1–2 and finds none (it says so and links on after id 2); page 2 reads 3–4 and finds c3; page 3 reads 5 and
    finds c4, the end. Back from page 3: ids 4 and 3, c3 again."""
    monkeypatch.setattr(views, "SEGMENT_SCAN", 2)
    monkeypatch.setattr(views, "CUSTOMERS_PER_PAGE", 1)
    run(app, "segments", "add", "Free", "--rule", "plan = free")
    segment_id = db.session.scalar(select(Segment.id))
    sign_in(client, "viewer")
    pages = [client.get(f"/customers?segment={segment_id}").get_data(as_text=True)]
    assert "Only part of the list was searched for this segment." in pages[0]
    assert "No customers in this segment." not in pages[0]          # not known from part of the list
    while match := re.search(r'href="(/customers\?after=[^"]+)"', pages[-1]):
        pages.append(client.get(match.group(1).replace("&amp;", "&")).get_data(as_text=True))
        assert len(pages) < 6
    shown = [re.findall(r"(c\d)@example\.com", html) for html in pages]
    assert shown == [[], ["c3"], ["c4"]]
    back = re.search(r'href="(/customers\?before=[^"]+)"', pages[-1]).group(1).replace("&amp;", "&")
    assert re.findall(r"(c\d)@example\.com", client.get(back).get_data(as_text=True)) == ["c3"]
