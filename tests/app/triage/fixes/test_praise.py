"""Praise backs no fix: linking it is refused whole (service, pages, API), a fix cannot be of type praise, the
fix page suggests none, and a linked verbatim corrected to praise stops counting as evidence."""
import pytest
from sqlalchemy import func, select

from feedback_app.accounts.services import create_user
from feedback_app.accounts.tokens import create_token
from feedback_app.core.extensions import db
from surveys.models import Response
from tests.app.feedback_app.api.test_api import Caller, assert_error
from tests.app.triage.fixes.test_views import PASSWORD, answered, login
from tests.support.factories import NOW
from triage.fixes import queries as fix_queries
from triage.fixes import queue as fix_queue
from triage.fixes import services as fixes
from triage.fixes.services import FixChange, FixError, PraiseRefused
from triage.models import Fix, FixLink, TriageItem
from triage.verbatims import classifying


def praise_and_problems(app):
    """Three unhappy verbatims: a triager's praise and two problems → (praise id, problem ids)."""
    ids = answered(app, [(2, "The staff were lovely, thank you", True), (0, "export crashes", True),
                         (1, "export crashes again", True)])
    classifying.correct_response(db.session.get(Response, ids[0]), "praise", None, NOW, 0.5)
    for problem in ids[1:]:
        classifying.correct_response(db.session.get(Response, problem), "functionality", None, NOW, 0.5)
    return ids[0], ids[1:]


def links() -> int:
    return db.session.scalar(select(func.count()).select_from(FixLink))


def test_linking_praise_is_refused_whole_and_changes_nothing(app):
    praise, problems = praise_and_problems(app)
    with pytest.raises(PraiseRefused) as refused:
        fixes.create_fix(FixChange(title="Export", cost=2), NOW, response_ids=[*problems, praise])
    assert refused.value.response_ids == [praise] and f"praise: #{praise}." in str(refused.value)
    assert db.session.scalar(select(func.count()).select_from(Fix)) == 0 and links() == 0
    fix = fixes.create_fix(FixChange(title="Export", cost=2), NOW, response_ids=problems)
    with pytest.raises(PraiseRefused):
        fixes.link_verbatims(fix, [praise], NOW)
    assert links() == 2


def test_a_fix_is_never_of_type_praise(app, client):
    fix = fixes.create_fix(FixChange(title="Export", cost=2), NOW)
    with pytest.raises(FixError, match="not a problem type"):
        fixes.update_fix(fix, NOW, FixChange(type_key="praise"))
    assert db.session.get(Fix, fix.id).type_key is None
    create_user("tri@example.com", PASSWORD, "triager")
    login(client, "tri@example.com")
    page = client.get(f"/fixes/{fix.id}").get_data(as_text=True)
    assert 'value="functionality"' in page and 'value="praise"' not in page


def test_the_pages_refuse_praise_in_the_readers_language(app, client):
    praise, problems = praise_and_problems(app)
    create_user("tri@example.com", PASSWORD, "triager")
    login(client, "tri@example.com")
    reply = client.post("/fixes/link", data={"response": [problems[0], praise], "to": "new", "title": "Export",
                                             "cost": "2", "back": "list"},
                        headers={"Accept-Language": "fa"}, follow_redirects=True)
    assert "تعریف و تمجید را نمی‌توان به یک اصلاح افزود" in reply.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Fix)) == 0 and links() == 0
    fix = fixes.create_fix(FixChange(title="Export", cost=2), NOW, response_ids=problems)
    page = client.post(f"/fixes/{fix.id}/link/{praise}", follow_redirects=True).get_data(as_text=True)
    assert "Praise cannot be added to a fix" in page and links() == 2


def test_the_api_refuses_praise_with_422(app, client):
    praise, problems = praise_and_problems(app)
    api = Caller(client, create_token("tests", "triager", NOW).plain)
    body = assert_error(api.post("/api/v1/fixes", json={"title": "Export", "cost": 2,
                                                        "response_ids": [*problems, praise]}), 422)
    assert "Praise cannot be added to a fix" in body["message"] and str(praise) in body["message"]
    assert db.session.scalar(select(func.count()).select_from(Fix)) == 0


def test_a_linked_verbatim_corrected_to_praise_is_no_evidence_until_corrected_back(app):
    _, problems = praise_and_problems(app)
    fix = fixes.create_fix(FixChange(title="Export", cost=2), NOW, response_ids=problems)

    def respondents():
        return fix_queue.placed(db.session.get(Fix, fix.id), NOW).impact.respondents

    assert respondents() == 2
    classifying.correct_response(db.session.get(Response, problems[1]), "praise", None, NOW, 0.5)
    assert respondents() == 1 and links() == 2  # still linked (the fix page shows it), but not counted
    classifying.correct_response(db.session.get(Response, problems[1]), "reliability", None, NOW, 0.5)
    assert respondents() == 2


def test_the_fix_page_suggests_no_praise(app):
    praise, problems = praise_and_problems(app)
    fix = fixes.create_fix(FixChange(title="Export", cost=2), NOW, response_ids=problems[:1],
                           theme_key=db.session.scalar(select(TriageItem.theme_key).where(
                               TriageItem.response_id == praise)))
    assert fix.theme_key and praise not in {item.response_id for item in fix_queries.suggestions(fix)}
    classifying.correct_response(db.session.get(Response, praise), "service", None, NOW, 0.5)
    assert praise in {item.response_id for item in fix_queries.suggestions(fix)}
