"""Tables for triage: each verbatim's type and theme, the team's labels, custom types, model versions."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from feedback_app.core.extensions import db
from surveys.models import Response

# The triage list's order: first what people should review, the verbatim that teaches the model most first
# (triage.classification.teaching), then the newest. Each filter has an index that starts with it and ends in
# this order, so a page is read in order from the index, never sorted.
LIST_ORDER = ("needs_review", "review_priority", "answered_at", "id")


def _list_index(name: str, *first: str) -> Index:
    return Index(name, *first, *LIST_ORDER)


class TriageItem(db.Model):
    """The triage record of one verbatim: its type, theme and the review state, plus copies of what the
    list filters and sorts on (when answered, which survey, how happy), kept by the sweep so a page of the
    list is one index range however many verbatims there are.

    What triage.verbatims.tallies counts is mapped with active_history: its old value is loaded before a change, so
    the counts always know what they held, even for a record whose attributes had expired."""
    __tablename__ = "triage_item"
    __table_args__ = (Index("ix_triage_item_review_order", "needs_review", "classified_at"),
                      _list_index("ix_triage_item_list"),
                      _list_index("ix_triage_item_type_list", "type_key"),
                      _list_index("ix_triage_item_survey_list", "survey_id"),
                      _list_index("ix_triage_item_language_list", "language"),
                      _list_index("ix_triage_item_band_list", "band"),
                      _list_index("ix_triage_item_group_list", "theme_group"),
                      # Re-classification after a new model: the items an older model made.
                      Index("ix_triage_item_model", "model_version", "id"),
                      # The encoder's refinement (triage.verbatims.refining): unconfirmed records of the active
                      # model that no encoder head or an older one refined, never-refined first, in order.
                      Index("ix_triage_item_refine", "confirmed", "model_version", "refined_by", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id"), unique=True)
    type_key: Mapped[str | None] = mapped_column(String(40), active_history=True)  # None: nothing to classify
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    theme: Mapped[str | None] = mapped_column(String(200), active_history=True)
    theme_key: Mapped[str | None] = mapped_column(String(120), index=True)
    # The theme group it belongs to (themes.choose_groups): a pair of its strongest stems, chosen when classified.
    theme_group: Mapped[str | None] = mapped_column(String(120), active_history=True)
    language: Mapped[str] = mapped_column(String(8), active_history=True)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    model_version: Mapped[int | None] = mapped_column(Integer)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False, active_history=True)
    # What labelling it would teach the model (teaching.priority); 0 unless it needs review.
    review_priority: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    group_rank: Mapped[int | None] = mapped_column(Integer)  # its rank in its theme group when it joined
    review_density: Mapped[float | None] = mapped_column(Float)  # how alike the verbatims around it were (teaching)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    classified_at: Mapped[datetime] = mapped_column(DateTime)
    # The version of the answer that was classified: an edited answer is classified again.
    response_updated_at: Mapped[datetime] = mapped_column(DateTime)
    # Copies from the answer, for the list's filters and order.
    answered_at: Mapped[datetime | None] = mapped_column(DateTime, active_history=True)
    survey_id: Mapped[int | None] = mapped_column(Integer, active_history=True)
    band: Mapped[str | None] = mapped_column(String(8), active_history=True)  # surveys.scales.kinds.band; None: no score
    # The encoder head (EncoderHead.id) whose refinement the type reflects; 0: the fast model's alone.
    refined_by: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    response: Mapped[Response] = relationship()
    # Its group, for the group's name: pages that show a theme load it with their records (joinedload), and
    # any other read would be one query per record, so it raises instead.
    group: Mapped[ThemeGroup | None] = relationship(primaryjoin="foreign(TriageItem.theme_group) == ThemeGroup.key",
                                                    viewonly=True, lazy="raise_on_sql")

    @property
    def shown_theme(self) -> str | None:
        """Its theme as pages show it: the group's name once the team gave one, else its own phrase."""
        named = self.group.name if self.theme_group is not None and self.group is not None else None
        return named or self.theme


class TrainingExample(db.Model):
    """A labelled text from the team: a triager's correction or confirmation, an import, a custom type's example."""
    __tablename__ = "training_example"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(16))  # correction | confirmation | import | type-example
    # One label per triaged verbatim: a second correction replaces the first.
    response_id: Mapped[int | None] = mapped_column(ForeignKey("response.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class CustomType(db.Model):
    __tablename__ = "custom_type"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[dict] = mapped_column(JSON)         # {locale: name}
    description: Mapped[dict] = mapped_column(JSON)  # {locale: description}
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ModelVersion(db.Model):
    """Every trained model with its evaluation; exactly one is active. The model itself is JSON."""
    __tablename__ = "model_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    model: Mapped[str] = mapped_column(Text)
    evaluation: Mapped[dict] = mapped_column(JSON, default=dict)
    examples: Mapped[int] = mapped_column(Integer)   # team examples it was trained on
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(String(300), default="")


class TextEmbedding(db.Model):
    """A text's sentence vector from the optional encoder, kept so that retraining never embeds a text twice.
    Keyed by the encoder and a hash of the text with its spaces normalised; the vector is float16 bytes."""
    __tablename__ = "text_embedding"

    encoder: Mapped[str] = mapped_column(String(40), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(32), primary_key=True)
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class EncoderHead(db.Model):
    """The classifier over the encoder's vectors, trained beside a fast model (JSON numbers, never pickle).
    The newest row is the one in use."""
    __tablename__ = "encoder_head"
    # Ids only grow, even after every row was deleted (an erasure withdraws heads): a record refined by an older head
    # (TriageItem.refined_by) must never look refined by a newer one. PostgreSQL's sequences already never go back.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    encoder: Mapped[str] = mapped_column(String(40))
    model_version: Mapped[int] = mapped_column(Integer)  # the fast model (ModelVersion.id) it was trained beside
    head: Mapped[str] = mapped_column(Text)
    examples: Mapped[int] = mapped_column(Integer)       # corpus lines and team labels it was trained on


class Fix(db.Model):
    """A piece of work the team may do, backed by linked verbatims; placed on the cost/impact grid."""
    __tablename__ = "fix"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    type_key: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # triage.loop.policy.STATUSES
    cost: Mapped[int] = mapped_column(Integer)  # 1 trivial … 5 very large, set by the team
    theme_key: Mapped[str | None] = mapped_column(String(120), index=True)  # for suggesting new verbatims
    impact_override: Mapped[float | None] = mapped_column(Float)
    override_reason: Mapped[str | None] = mapped_column(Text)  # kept: why the evidence was overruled
    override_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    override_at: Mapped[datetime | None] = mapped_column(DateTime)
    # What customers read, per language ({locale: text}; feedback_app.core.languages.LOCALES), apart from the
    # team's own title and description: the news emails and the early-access page use the reader's language.
    public_titles: Mapped[dict] = mapped_column(JSON, default=dict)
    release_notes: Mapped[dict] = mapped_column(JSON, default=dict)
    # The language a recipient without texts in theirs gets the whole news in; None: such news is refused.
    news_fallback: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    planned_at: Mapped[datetime | None] = mapped_column(DateTime)
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The beta the team opened for its testers (http(s) only, triage.loop.beta): the link the "ready to try"
    # email carries, and when it first opened (None: not open).
    beta_url: Mapped[str | None] = mapped_column(String(2000))
    beta_opened_at: Mapped[datetime | None] = mapped_column(DateTime)

    links: Mapped[list[FixLink]] = relationship(back_populates="fix", cascade="all, delete-orphan")


class FixNewsStop(db.Model):
    """A customer who asked for no more news about fixes ("stop emails about changes you asked for"). Kept in
    triage, beside the news it stops: surveys never know about fixes. Surveys may still reach them; a survey
    unsubscribe stops this news too (triage.loop.policy.loop_recipients). The row goes with its customer."""
    __tablename__ = "fix_news_stop"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id", ondelete="CASCADE"), primary_key=True)
    stopped_at: Mapped[datetime] = mapped_column(DateTime)


class FixNews(db.Model):
    """An email that told a respondent news of a fix (its outbox row): the planned and shipped news
    (triage.fixes.services) and the beta's "ready to try" (triage.loop.beta). The fix page's "who was told"
    reads these by fix, instead of matching outbox keys by prefix."""
    __tablename__ = "fix_news"

    fix_id: Mapped[int] = mapped_column(ForeignKey("fix.id"), primary_key=True)
    # outbox_email.id; no foreign key, so the outbox stays free to prune its own rows.
    email_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class FixLink(db.Model):
    """A verbatim supporting a fix; a verbatim may support several fixes."""
    __tablename__ = "fix_link"
    # The fix page lists a fix's verbatims newest first, a page at a time (keyset on this order).
    __table_args__ = (Index("ix_fix_link_fix_answered", "fix_id", "answered_at", "response_id"),)

    fix_id: Mapped[int] = mapped_column(ForeignKey("fix.id"), primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("response.id"), primary_key=True, index=True)
    linked_at: Mapped[datetime] = mapped_column(DateTime)
    linked_by: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The answer's own date, copied when linked (an answer's date never changes; triage.fixes.evidence_watch
    # copies it again if one is edited through the ORM) so the fix page's order needs no join.
    answered_at: Mapped[datetime] = mapped_column(DateTime)

    fix: Mapped[Fix] = relationship(back_populates="links")
    response: Mapped[Response] = relationship()


class BetaTester(db.Model):
    """A customer who answered "I would like to try it early" to a planned fix; once per fix."""
    __tablename__ = "beta_tester"

    fix_id: Mapped[int] = mapped_column(ForeignKey("fix.id"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class FixAdviser(db.Model):
    """A customer who answered "Would you advise us?" to a planned fix: the team may contact them to ask how
    the change should work; once per fix."""
    __tablename__ = "fix_adviser"
    # The fix page lists them first asked first, a page at a time (keyset on this order).
    __table_args__ = (Index("ix_fix_adviser_fix_created", "fix_id", "created_at", "customer_id"),)

    fix_id: Mapped[int] = mapped_column(ForeignKey("fix.id"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.id"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class TypeTally(db.Model):
    """Verbatims per week and type, by the triage list's filters: the dashboard's "comments per type per week"
    and the list's counts, kept by the sweep and by corrections. Keys are never NULL ('' for no type or no
    band, survey 0 for other channels), so the primary key stays unique."""
    __tablename__ = "type_tally"

    week: Mapped[date] = mapped_column(Date, primary_key=True)
    type_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    survey_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    band: Mapped[str] = mapped_column(String(8), primary_key=True)
    needs_review: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class ThemeGroup(db.Model):
    """Verbatims that share their two strongest stems. Made when its first member is classified; `size`
    counts its members, so the largest groups are read from an index. `name`, once a triager gives one
    (triage.verbatims.naming), is what every page shows for the group and its members, new ones included."""
    __tablename__ = "theme_group"
    __table_args__ = (Index("ix_theme_group_size", "size"),)

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))  # its first member's theme, in the customer's words
    name: Mapped[str | None] = mapped_column(String(120))  # the team's name for it; None: the label is shown
    size: Mapped[int] = mapped_column(Integer, default=0)


class ThemeTally(db.Model):
    """A theme group's members by the list's filters (type, language, survey, band), for groups under a filter."""
    __tablename__ = "theme_tally"
    __table_args__ = (Index("ix_theme_tally_type", "type_key", "theme_group"),
                      Index("ix_theme_tally_survey", "survey_id", "theme_group"))

    theme_group: Mapped[str] = mapped_column(String(120), primary_key=True)
    type_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    survey_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    band: Mapped[str] = mapped_column(String(8), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class LoopPerson(db.Model):
    """A person with an answer awaiting a call, as the sweep marked it (surveys.scales.kinds.awaits_a_call): the weeks
    of their latest such answer and of their latest one that reached them (triage.loop.metrics.Reach). Kept by
    triage.loop.reach; no foreign keys, so it never stops an erasure (which removes the row itself)."""
    __tablename__ = "loop_person"

    person: Mapped[str] = mapped_column(String(40), primary_key=True)  # customer:<id> | response:<id>
    awaiting_week: Mapped[date] = mapped_column(Date)
    reached_week: Mapped[date | None] = mapped_column(Date)  # None: none of their answers reached them


class LoopTally(db.Model):
    """How many people have their latest answer awaiting a call (latest 'awaiting'), or their latest reached
    one ('reached'), in each week: the dashboard's "unhappy respondents contacted" over a period is the sum
    over its weeks (triage.loop.metrics.kept_share)."""
    __tablename__ = "loop_tally"

    week: Mapped[date] = mapped_column(Date, primary_key=True)
    latest: Mapped[str] = mapped_column(String(8), primary_key=True)  # triage.loop.metrics.AWAITING | REACHED
    count: Mapped[int] = mapped_column(Integer, default=0)
