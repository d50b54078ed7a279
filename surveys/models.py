"""Tables for customers, surveys, invitations and responses."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, false, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db


class Customer(db.Model):
    __tablename__ = "customer"
    # The Save list and segments read customers by stage.
    __table_args__ = (Index("ix_customer_stage", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-cased
    name: Mapped[str | None] = mapped_column(String(200))
    locale: Mapped[str] = mapped_column(String(8), default="en")
    # Every other CSV column (plan, mrr, …), kept for segmenting and for impact later.
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # Their lifetime as the team's systems know it (the customer import's columns): it starts at customer_since
    # (else at their first activity) and ends at ended_at (else at a `cancel` activity). Naive UTC.
    customer_since: Mapped[datetime | None] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Their lifecycle stage (new, active, silent, at_risk, lost) as the retention refresh last computed it,
    # and since when; None until it first runs. Its history is retention.models.StageChange.
    stage: Mapped[str | None] = mapped_column(String(12))
    stage_since: Mapped[datetime | None] = mapped_column(DateTime)


class Survey(db.Model):
    __tablename__ = "survey"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # a key of surveys.scales.kinds.KINDS
    name: Mapped[str] = mapped_column(String(200))
    # {locale: {"question": …, "reason": …}}, started from the standard wording and editable.
    wording: Mapped[dict] = mapped_column(JSON)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    invited: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # kept by each send
    delivered: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # kept by the outbox
    # relationship: sent to everyone eligible, under the cool-down across relationship surveys (SURVEY_COOLDOWN_DAYS);
    # transactional: triggered one customer at a time (POST /api/v1/invitations), under its own cool-down per kind.
    mode: Mapped[str] = mapped_column(String(16), server_default="relationship")
    cooldown_days: Mapped[int | None] = mapped_column(Integer)  # transactional only; None: the default (7)
    # Where in the customer's journey it asks (onboarding, support, …, or the team's own), normalised.
    touchpoint: Mapped[str | None] = mapped_column(String(40))
    # The thank-you page's follow-up step the team set (a link or a second question, texts per language: the
    # JSON of surveys.scales.thanks_step.ThanksStep); None: the page offers none.
    thanks_step: Mapped[dict | None] = mapped_column(JSON)

    invitations: Mapped[list[Invitation]] = relationship(back_populates="survey")

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Invitation(db.Model):
    __tablename__ = "invitation"
    __table_args__ = (
        # One invitation per customer per survey and round, whoever sends it and however often: a relationship
        # survey asks once (round 0), a transactional one once per trigger (rounds 0, 1, …).
        db.UniqueConstraint("survey_id", "customer_id", "round"),
        # A trigger's own id (ticket, order): sending it again finds this invitation, never a second.
        db.UniqueConstraint("survey_id", "external_id"),
        # The cool-down check ("surveyed in the last 30 days") reads by customer and time.
        Index("ix_invitation_customer_sent", "customer_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"))
    # None once the customer's personal data was erased: the invitation stays, so results keep counting it.
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"))
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The language the invitation was written in: its survey page and answer stay in it.
    locale: Mapped[str] = mapped_column(String(8), default="en")
    round: Mapped[int] = mapped_column(Integer, server_default="0")
    external_id: Mapped[str | None] = mapped_column(String(200))  # triggered: the caller's idempotency key
    context: Mapped[str | None] = mapped_column(String(200))  # triggered: e.g. a ticket number, shown to the team

    survey: Mapped[Survey] = relationship(back_populates="invitations")
    customer: Mapped[Customer | None] = relationship()
    response: Mapped[Response | None] = relationship(back_populates="invitation", uselist=False)


class Response(db.Model):
    """A verbatim: a survey answer, exactly once per invitation (the unique key enforces it), or
    feedback from another channel (support email, chat, app store) sent through the API, which has no
    invitation and names its customer itself."""
    __tablename__ = "response"
    __table_args__ = (
        db.CheckConstraint("invitation_id IS NOT NULL OR channel <> 'survey'", name="survey_answer_has_invitation"),
        # A channel's own id for the feedback (ticket, review): sending it again finds this row, never a second.
        db.UniqueConstraint("channel", "external_id"),
        # Lists newest first (the API, a survey's comments) read these in order instead of sorting the table.
        Index("ix_response_answered", "answered_at", "id"),
        Index("ix_response_survey_answered", "survey_id", "answered_at"),
        # Only the few rows the sweep has still to see, and the few people who wait for a call: partial
        # indexes stay as small as what they list, however many answers there are.
        Index("ix_response_pending", "id", sqlite_where=text("pending = 1"), postgresql_where=text("pending")),
        Index("ix_response_awaits_contact", "answered_at", sqlite_where=text("awaits_contact = 1"),
              postgresql_where=text("awaits_contact")),
        # … and of those, the ones nobody has contacted yet: the follow-up list, oldest first.
        Index("ix_response_follow_up", "answered_at", "id",
              sqlite_where=text("awaits_contact = 1 AND contacted_at IS NULL"),
              postgresql_where=text("awaits_contact AND contacted_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitation.id"), unique=True)
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("survey.id"), index=True)
    # A server default, so the survey POST's one INSERT carries no extra parameter for it.
    channel: Mapped[str] = mapped_column(String(20), server_default="survey")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)  # other channels
    kind: Mapped[str | None] = mapped_column(String(8))  # the scale of an other channel's score
    external_id: Mapped[str | None] = mapped_column(String(200))  # other channels: their own id, if any
    score: Mapped[int | None] = mapped_column(Integer)  # None: the respondent skipped the scale
    comment: Mapped[str] = mapped_column(Text, default="")  # verbatim, exactly as typed
    may_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_at: Mapped[datetime | None] = mapped_column(DateTime)
    locale: Mapped[str] = mapped_column(String(8))
    answered_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # A person from the team reached out (follow-up list): who and when.
    contacted_at: Mapped[datetime | None] = mapped_column(DateTime)
    contacted_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Waiting for the sweep (its classification and the tallies): a new answer is (a server default, so the
    # survey POST's INSERT carries nothing more) and so is an edited one.
    pending: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # What the score tallies hold for this answer, once counted: its score then (None: skipped).
    tallied: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    tallied_score: Mapped[int | None] = mapped_column(Integer)
    # Unhappy, wrote why and may be contacted (set by the sweep): the follow-ups and the loop figures.
    awaits_contact: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    invitation: Mapped[Invitation | None] = relationship(back_populates="response")
    survey: Mapped[Survey | None] = relationship(viewonly=True)
    customer: Mapped[Customer | None] = relationship()  # set for other channels only


class ThanksAnswer(db.Model):
    """The answer to a survey's second question, asked on the thank-you page: at most one per response (its key),
    written once and never changed. The customer's own words: exported and erased with them (privacy)."""
    __tablename__ = "thanks_answer"
    # The survey's page lists the newest and counts them: one index range per survey.
    __table_args__ = (Index("ix_thanks_answer_survey_answered", "survey_id", "answered_at"),)

    response_id: Mapped[int] = mapped_column(ForeignKey("response.id"), primary_key=True, autoincrement=False)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id"))
    question: Mapped[str] = mapped_column(String(300))  # as it was asked (the team may change it later)
    text: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String(8))  # the page's language
    answered_at: Mapped[datetime] = mapped_column(DateTime)


class ScoreTally(db.Model):
    """How many answers gave each score, per survey (or channel), scale and week: the figures results and the
    dashboard show, kept up to date by the sweep instead of counted from every answer on every view.

    Every answer is counted, so the tallies also say how many answers there are. Keys are never NULL (NULLs
    would make duplicate keys in a unique index): survey 0 is feedback from another channel, kind '' such
    feedback without a score, score -1 a skipped scale.
    """
    __tablename__ = "score_tally"

    survey_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    week: Mapped[date] = mapped_column(Date, primary_key=True)
    score: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class Segment(db.Model):
    """A saved filter over customers: rules over their attributes, stage and latest scores, all of which must hold
    (surveys.people.segment_rules reads them, surveys.people.segments turns them into SQL)."""
    __tablename__ = "segment"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    rules: Mapped[list] = mapped_column(JSON)  # the rules' normalised texts, e.g. ["plan = pro", "mrr >= 100"]
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))  # None: the command line
