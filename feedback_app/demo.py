"""Demo data for trying the app: customers in three languages, six weeks of answers to three surveys and an older
one from last spring, feedback from a support inbox and an app store, fixes made of it, every comment classified,
and the retention side alive — a year and a half of customer lifetimes and activity, a win-back campaign, the
stages, figures, loop comparison, fit matrix and Save list computed (feedback_app.demo_activity).

Everything here is invented for the demo (the words are in feedback_app.demo_texts) and goes through the real
use cases: the customer CSV import, the activity import, survey send, the survey answer, channel intake, fixes,
"contacted", win-back, the outbox's delivery (to memory: the demo never mails anyone), the scheduler's sweep and
its retention refresh. Seeded, so every load is the same.
"""
from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import select

from advocacy.asking import ask_promoters
from advocacy.models import AdvocacyAsk
from advocacy.outcomes import record_outcome
from advocacy.setting import set_ask
from feedback_app import demo_activity as activity
from feedback_app import demo_texts as texts
from feedback_app.accounts.models import User
from feedback_app.accounts.services import create_user
from feedback_app.core.extensions import db
from feedback_app.mail.delivery import deliver_due
from feedback_app.mail.outbox import OutboxEmail
from feedback_app.mail.transports import MemoryTransport
from retention.refresh import refresh_retention
from retention.saving.values import refresh_values
from retention.stages import StageSettings
from surveys.answering.links import signed_invitation
from surveys.answering.services import record_answer, record_second_answer
from surveys.asking import services
from surveys.models import Customer, Invitation, Response, Survey
from surveys.people.importing import parse_customer_csv
from surveys.people.services import import_customers
from surveys.people.segment_store import create_segment
from surveys.scales.answers import Answer
from surveys.scales.kinds import KINDS, band_range
from surveys.scales.thanks_step import QUESTION, checked_step
from triage.classification.learning import active_model, ensure_model
from triage.verbatims import classifying

DEMO_ADMIN = ("admin@example.com", "demo-password")
SEED = 20261123
CUSTOMERS = {"en": 40, "ar": 30, "fa": 30}
FIRST_SENT_DAYS_AGO = 46  # six weeks and a bit of answers
# Last spring's NPS survey: answered within three weeks, over 180 days ago (the loop comparison's longest horizon).
SPRING_SENT_DAYS_AGO, SPRING_ANSWERED_WITHIN = 230, timedelta(days=21)
SPRING_COMMENT_RATE, SPRING_CONTACT_RATE = 0.5, 0.85
ANSWER_RATE, CONTACT_RATE_UNHAPPY, CONTACT_RATE = 0.7, 0.7, 0.4
CONTACTED = 4  # unhappy answers older than a few days a team member already called
EDIT_WINDOW = timedelta(hours=24)

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass(frozen=True)
class Loaded:
    """What a load added (all zero: the database had surveys, nothing was added)."""
    customers: int = 0
    answers: int = 0
    channel: int = 0
    fixes: int = 0
    surveys: int = 0

    def summary(self) -> str:
        if not self.answers:
            return "The database already has surveys; demo data was not loaded again."
        return (f"Demo data loaded: {self.customers} customers, {self.surveys} surveys, "
                f"{self.answers} answers, {self.channel} from other channels, {self.fixes} fixes.")


def load_demo(now: datetime, review_below: float, sender: str, progress: Progress = _quiet, *,
              settings: StageSettings = StageSettings(), value_attribute: str = "mrr") -> Loaded:
    """Load the demo into a database with no survey yet; with one, add nothing (the demo admin is made sure of).
    `settings` and `value_attribute`: the stage rule's thresholds and the customers' value attribute, as the
    app's config sets them (retention.refresh.stage_settings, IMPACT_VALUE_ATTRIBUTE)."""
    _ensure_admin()
    if db.session.scalar(select(Survey.id).limit(1)) is not None:
        return Loaded()
    rng = random.Random(SEED)
    progress("Loading demo data…")
    data, lives = _customers_csv(rng, now)
    customers = import_customers(parse_customer_csv(data))
    activity.import_demo_activity(rng, lives, now)
    answered = _spring_survey(rng, now) + _surveys(rng, now)
    _ensure_model(now, progress)
    channel = _channel_feedback(now, review_below)
    fixes = _fixes(now)
    _volunteers(rng, now)
    _contact_some(rng, now)
    _segments(now)
    _win_back(now, settings, sender)
    _advocacy(rng, now)
    deliver_due(now, MemoryTransport(), sender)
    # The sweep before the refresh: the fit's cost to serve counts the comments classified as problems.
    classify_everything(now, review_below, progress)
    _retention(now, settings, value_attribute)
    return Loaded(customers.created, answered, channel, fixes, len(texts.SURVEY_NAMES) + 1)


def _win_back(now: datetime, settings: StageSettings, sender: str) -> None:
    """A campaign sent two months ago to those who had left then, delivered then (to memory)."""
    sent_at = activity.win_back_campaign(now, settings, texts.WIN_BACK_NAME, texts.WIN_BACK_OFFERS)
    deliver_due(sent_at, MemoryTransport(), sender)


def _advocacy(rng: random.Random, now: datetime) -> None:
    """Recent promoters asked for a review (what the scheduler's ask-promoters job does), some of whom went or
    declined: the loop page's advocacy figures are alive on the first run."""
    set_ask("review", texts.REVIEW_LINK, now)
    ask_promoters(now)
    for ask_id in db.session.scalars(select(AdvocacyAsk.id).order_by(AdvocacyAsk.id)).all():
        choice = rng.choice(("went", "went", "declined", None))
        if choice:
            record_outcome(ask_id, choice, now)


def _retention(now: datetime, settings: StageSettings, value_attribute: str) -> None:
    """What the scheduler's daily jobs do, now: stages, figures, the loop and fit (refresh-retention), and each
    customer's value for the Save list (save-list-daily, without its digest email)."""
    refresh_retention(now, settings, value_attribute=value_attribute)
    refresh_values(now)


def _segments(now: datetime) -> None:
    """Two saved segments over the demo's attributes and scores (surveys.people.segment_store)."""
    create_segment("Business customers", ["plan = business"], now)
    create_segment("Unhappy paying teams", ["plan in team,business", "mrr >= 100", "nps <= 6"], now)


def classify_everything(now: datetime, review_below: float, progress: Progress = _quiet) -> int:
    """What the scheduler's sweep does (feedback_app.jobs.classify_new_verbatims), now: the first dashboard
    shows every comment's type and theme. Trains the first model if there is none."""
    _ensure_model(now, progress)
    total = 0
    while done := classifying.classify_pending(now, review_below):
        total += done
    return total


def _ensure_model(now: datetime, progress: Progress) -> None:
    """The classifier, trained on the built-in corpus when there is none yet (once: some seconds)."""
    if active_model() is None:
        progress("Training the classifier on the built-in corpus (first run only, this takes a while)…")
        ensure_model(now, lambda step: progress(f"  {step}"))


def demo_sign_in() -> tuple[str, str] | None:
    """The demo admin's address and password, while that account exists, is active and has that password."""
    email, password = DEMO_ADMIN
    user = db.session.scalar(select(User).where(User.email == email))
    return DEMO_ADMIN if user is not None and user.active and user.check_password(password) else None


def _ensure_admin() -> None:
    if db.session.scalar(select(User.id).where(User.email == DEMO_ADMIN[0])) is None:
        create_user(*DEMO_ADMIN, role="admin")


# ---------------------------------------------------------------- customers

def _customers_csv(rng: random.Random, now: datetime) -> tuple[bytes, dict[str, activity.Life]]:
    """The customers as a team would import them: a CSV with their plan, revenue, a few more attributes and their
    lifetime (customer_since, and ended_at for those the team knows have left); and each one's Life by email."""
    rows = []
    for locale, count in CUSTOMERS.items():
        pairs = [(f, s) for f in texts.FIRST_NAMES[locale] for s in texts.FAMILY_NAMES[locale]]
        for number, (first, family) in enumerate(rng.sample(pairs, count), start=1):
            plan, seats, mrr = _plan(rng)
            rows.append((_email(locale, number), f"{first} {family}", locale, plan, seats, mrr,
                         rng.choice(texts.COUNTRIES[locale])))
    lives = activity.lives(rng, [(row[0], row[5], row[5] // row[4]) for row in rows], now)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["email", "name", "locale", "plan", "seats", "mrr", "country", "customer_since", "ended_at"])
    for row in rows:
        life = lives[row[0]]
        writer.writerow([*row, life.since.isoformat(), life.ended_at.isoformat() if life.ended_at else ""])
    return out.getvalue().encode(), lives


def _email(locale: str, number: int) -> str:
    return f"{locale}.customer{number}@example.com"


def _plan(rng: random.Random) -> tuple[str, int, int]:
    """(plan, seats, monthly revenue): a few free teams, many small paying ones, some larger ones."""
    plan = rng.choices(["free", "team", "business"], [1, 2, 1])[0]
    if plan == "free":
        return plan, rng.randint(1, 3), 0
    seats = rng.randint(3, 25) if plan == "team" else rng.randint(10, 80)
    return plan, seats, seats * (8 if plan == "team" else 15)


# ---------------------------------------------------------------- surveys and answers

def _surveys(rng: random.Random, now: datetime) -> int:
    """Send the three surveys days apart and answer them over the weeks since; returns how many answered."""
    answering = []
    for number, kind in enumerate(texts.SURVEY_NAMES):
        survey = services.create_survey(kind, texts.SURVEY_NAMES[kind], **texts.SURVEY_TEXTS[kind],
                                        touchpoint=texts.SURVEY_TOUCHPOINTS.get(kind))
        sent_at = now - timedelta(days=FIRST_SENT_DAYS_AGO - 2 * number)
        # To those who were customers then: not to those who joined since, nor to those who had left.
        services.send_survey(survey, sent_at, cooldown_days=0, audience=activity.customer_then(sent_at))
        invitations = db.session.scalars(select(Invitation).where(Invitation.survey_id == survey.id)
                                         .order_by(Invitation.id)).all()
        answering += [(survey.kind, sent_at, invitation) for invitation in invitations if rng.random() < ANSWER_RATE]
    comments = _comments_for(rng, [invitation.locale for _, _, invitation in answering])
    for (kind, sent_at, invitation), comment in zip(answering, comments):
        record_answer(signed_invitation(invitation), _answer(rng, KINDS[kind], comment), _when(rng, sent_at, now),
                      EDIT_WINDOW)
    _thanks_step(rng, now)
    return len(answering)


def _thanks_step(rng: random.Random, now: datetime) -> None:
    """The autumn NPS survey's thank-you page asks one more question; a few who commented answered it."""
    survey = db.session.scalar(select(Survey).where(Survey.name == texts.SURVEY_NAMES["nps"]))
    services.set_thanks_step(survey, checked_step(QUESTION, texts.THANKS_QUESTION))
    unsaid = {locale: list(answers) for locale, answers in texts.SECOND_ANSWERS.items()}
    for response in db.session.scalars(select(Response).where(Response.survey_id == survey.id, Response.comment != "")
                                       .order_by(Response.id)):
        left = unsaid.get(response.locale)
        if left and rng.random() < 0.3:
            record_second_answer(response.id, survey.id, texts.THANKS_QUESTION[response.locale], left.pop(),
                                 response.locale, response.answered_at + timedelta(minutes=1))


def _spring_survey(rng: random.Random, now: datetime) -> int:
    """Last spring's NPS survey, answered within three weeks and then closed; returns how many answered. Some
    wrote about the broken exports the shipped fix mends (texts.SPRING_COMMENTS): told of it now, they are the
    loop comparison's told respondents whose 90 and 180 days have passed."""
    survey = services.create_survey("nps", texts.SPRING_SURVEY_NAME, **texts.SURVEY_TEXTS["nps"])
    sent_at = now - timedelta(days=SPRING_SENT_DAYS_AGO)
    services.send_survey(survey, sent_at, cooldown_days=0, audience=activity.customer_then(sent_at))
    invitations = db.session.scalars(select(Invitation).where(Invitation.survey_id == survey.id)
                                     .order_by(Invitation.id)).all()
    answering = [invitation for invitation in invitations if rng.random() < ANSWER_RATE]
    unsaid = {locale: list(comments) for locale, comments in texts.SPRING_COMMENTS.items()}
    for invitation in answering:
        left = unsaid[invitation.locale]
        mood, text = left.pop() if left and rng.random() < SPRING_COMMENT_RATE else (None, "")
        score = _score_in(rng, KINDS["nps"], mood) if mood else _score(rng, KINDS["nps"])
        may_contact = rng.random() < (SPRING_CONTACT_RATE if text else CONTACT_RATE)
        when = sent_at + SPRING_ANSWERED_WITHIN * rng.random() ** 1.6
        record_answer(signed_invitation(invitation), Answer(score, text, may_contact), when, EDIT_WINDOW)
    services.close_survey(survey, sent_at + 2 * SPRING_ANSWERED_WITHIN)
    return len(answering)


def _comments_for(rng: random.Random, locales: list[str]) -> list[tuple[str, str] | None]:
    """For each answer (by its language) a (mood, text) or None (no comment): every text of a language once,
    spread at random over that language's answers."""
    chosen: list[tuple[str, str] | None] = [None] * len(locales)
    for locale, by_type in texts.COMMENTS.items():
        pool = [comment for comments in by_type.values() for comment in comments]
        places = [index for index, answer_locale in enumerate(locales) if answer_locale == locale]
        for index, comment in zip(rng.sample(places, len(places)), rng.sample(pool, len(pool))):
            chosen[index] = comment
    return chosen


def _answer(rng: random.Random, kind, comment: tuple[str, str] | None) -> Answer:
    mood, text = comment or (None, "")
    score = _score_in(rng, kind, mood) if mood else _score(rng, kind)
    rate = CONTACT_RATE_UNHAPPY if mood == "unhappy" else CONTACT_RATE
    return Answer(score, text, rng.random() < rate)


def _score_in(rng: random.Random, kind, mood: str) -> int:
    low, high = band_range(kind.key, mood)
    return rng.randint(low, high)


def _score(rng: random.Random, kind) -> int:
    """Skewed towards the top of the scale, as real answers are, with a tail of unhappy customers."""
    points = list(kind.scale)
    weights = [1 + 12 * ((p - kind.low) / (kind.high - kind.low)) ** 3 for p in points]
    return rng.choices(points, weights)[0]


def _when(rng: random.Random, sent_at: datetime, now: datetime) -> datetime:
    """Most answer within days of the invitation, some weeks later; the latest within the last hours."""
    span = (now - sent_at - timedelta(hours=1)).total_seconds()
    return sent_at + timedelta(seconds=span * rng.random() ** 1.6)


# ---------------------------------------------------------------- other channels

def _channel_feedback(now: datetime, review_below: float) -> int:
    from triage.verbatims.intake import ChannelFeedback, take_feedback

    for number, item in enumerate(texts.CHANNEL_FEEDBACK, start=1):
        email = _email(item.locale, item.customer) if item.customer else None
        take_feedback(ChannelFeedback(
            item.text, email=email, name=item.name, locale=item.locale, score=item.score,
            kind="csat" if item.score is not None else None, channel=item.channel, may_contact=email is not None,
            external_id=f"demo-{number}", answered_at=now - timedelta(days=item.days_ago, hours=number)),
            now, review_below)
    return len(texts.CHANNEL_FEEDBACK)


# ---------------------------------------------------------------- fixes and follow-ups

def _fixes(now: datetime) -> int:
    """Fixes on the grid, each supported by the answers that speak of it (never praise), through the real use cases:
    one planned and one shipped (their respondents told), one whose impact the team overrode."""
    from triage.fixes import services as fixes
    from triage.fixes.services import FixChange

    admin_id = db.session.scalar(select(User.id).where(User.email == DEMO_ADMIN[0]))
    praise = {text for by_type in texts.COMMENTS.values() for _, text in by_type["praise"]}  # backs no fix
    comments = [(response_id, comment) for response_id, comment in db.session.execute(
        select(Response.id, Response.comment).where(Response.comment != "")) if comment not in praise]
    for demo_fix in texts.FIXES:
        ids = [response_id for response_id, comment in comments if any(word in comment for word in demo_fix.words)]
        fix = fixes.create_fix(FixChange(title=demo_fix.title, cost=demo_fix.cost, type_key=demo_fix.type_key),
                               now, admin_id, response_ids=ids)
        if demo_fix.step == "override":
            fixes.update_fix(fix, now, FixChange(impact_override=texts.OVERRIDE[0], reason=texts.OVERRIDE[1]),
                             admin_id)
        if demo_fix.public_title:
            fixes.update_fix(fix, now, FixChange(public_titles=demo_fix.public_title), admin_id)
        if demo_fix.step == "shipped":
            fixes.update_fix(fix, now, FixChange(release_notes=texts.RELEASE_NOTES), admin_id)
        if demo_fix.step in ("planned", "shipped"):
            fixes.change_status(fix, demo_fix.step, now, tell_planned=True)
    return len(texts.FIXES)


def _volunteers(rng: random.Random, now: datetime) -> None:
    """Of those told the planned fix's news, a few asked to try it early and one offered advice (the buttons of
    the planned email); the team opened its beta, so each tester was emailed that it is ready."""
    from triage.fixes import services as fixes
    from triage.loop.advise import record_advice
    from triage.loop.early_access import record_early_access
    from triage.models import Fix

    fix = db.session.scalar(select(Fix).where(Fix.status == "planned"))
    told = sorted(email for (email,) in db.session.execute(
        select(OutboxEmail.recipient).where(OutboxEmail.template == "fix_planned")))
    people = db.session.scalars(select(Customer.id).where(Customer.email.in_(told)).order_by(Customer.id)).all()
    for customer_id in rng.sample(people, min(3, len(people))):
        record_early_access(fix.id, customer_id, now - timedelta(days=rng.randint(1, 4)))
    for customer_id in rng.sample(people, min(2, len(people))):
        record_advice(fix.id, customer_id, now - timedelta(days=rng.randint(1, 4)))
    fixes.open_beta(fix, texts.BETA_LINK, now)


def _contact_some(rng: random.Random, now: datetime) -> None:
    """A team member already called a few unhappy respondents, days after they answered."""
    from surveys.scales.kinds import awaits_a_call
    from triage.loop.follow_up import mark_contacted

    admin_id = db.session.scalar(select(User.id).where(User.email == DEMO_ADMIN[0]))
    rows = db.session.execute(select(Response, Survey.kind).join(Survey, Survey.id == Response.survey_id)
                              .where(Response.answered_at < now - timedelta(days=5)).order_by(Response.id)).all()
    waiting = [response for response, kind in rows
               if awaits_a_call(kind, response.score, bool(response.comment.strip()), response.may_contact)]
    for response in rng.sample(waiting, min(CONTACTED, len(waiting))):
        mark_contacted(response, admin_id, response.answered_at + timedelta(days=rng.randint(1, 3)))

