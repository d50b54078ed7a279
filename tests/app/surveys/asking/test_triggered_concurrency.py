"""Two triggers of one customer at the same moment, to two CSAT surveys: one invitation, the other refused by the
cool-down — the second waits for the first to commit instead of reading the cool-down beside it. On SQLite and
PostgreSQL, with two real connections."""
import threading

from sqlalchemy import func, select

from feedback_app.core.extensions import db
from surveys.asking import triggered
from surveys.asking.services import create_survey
from surveys.asking.triggered import Trigger, TriggerRefused, trigger_invitation
from surveys.models import Invitation
from tests.support.factories import NOW, add_customers


def test_two_simultaneous_triggers_to_two_csat_surveys_give_one_invitation(app, monkeypatch):
    add_customers(("ana@example.com", "Ana", "en"))
    first, second = (create_survey("csat", name, "Acme", mode="transactional").id for name in ("chat", "email"))
    checked = threading.Event()
    real_throttled = triggered._throttled

    def throttled_then_linger(*args):
        """Whoever reads the cool-down first lingers before inviting, long enough for the other to read it too if
        nothing held it back (then both would pass: the race this guards against)."""
        found = real_throttled(*args)
        if checked.is_set():
            return found
        checked.set()
        threading.Event().wait(1.0)
        return found

    monkeypatch.setattr(triggered, "_throttled", throttled_then_linger)
    outcomes = []

    def trigger(survey_id):
        with app.app_context():
            try:
                trigger_invitation(Trigger(survey_id, email="ana@example.com"), NOW, 30)
                outcomes.append("invited")
            except TriggerRefused as refused:
                outcomes.append(refused.status)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=trigger, args=(survey_id,)) for survey_id in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes, key=str) == [429, "invited"]
    assert db.session.scalar(select(func.count(Invitation.id))) == 1
