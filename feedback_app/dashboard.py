"""The team's home page: scores and their trends, answers per problem type, what customers love, the top of the
queue, the loop.

Composition over surveys and triage (like wiring.py): it only reads. The scores come from the one
definition in surveys.scales.scoring, the queue from triage.fixes.queue.ranked_queue, and every other number
from the pure triage.loop.metrics, which also documents what each one means.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from flask import Blueprint, current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import exists, func, select

from feedback_app.accounts.access import require_login_for
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from feedback_app.mail.outbox import OutboxEmail
from surveys.answering import tallies as score_tallies
from surveys.answering.segment_tallies import Reach, segment_weekly
from surveys.models import Customer, Response, Segment, Survey
from surveys.people.segment_store import listed_segments
from surveys.people.segment_views import requested_segment
from surveys.scales import scoring
from surveys.scales.kinds import KINDS, Kind
from surveys.scales.scoring import week_start
from triage.classification.custom_types import all_types
from triage.classification.types import PRAISE, problem_types
from triage.fixes import queue as fix_queue
from triage.loop import metrics, policy
from triage.loop import reach as loop_reach
from triage.models import Fix, FixLink, FixNews, TriageItem
from triage.verbatims import listing
from triage.verbatims.intake import CHANNEL
from triage.verbatims import tallies as triage_tallies

dashboard = Blueprint("dashboard", __name__)
require_login_for(dashboard)

QUEUE_TOP = 5
LOVED_THEMES = 3   # "what customers love": its largest praise themes…
LOVED_QUOTES = 2   # …and its newest sure praise, quoted
QUOTE_MAX = 160    # characters of a quote; a longer one is cut at a word
# Colour-blind-safe hues (Okabe–Ito, then two more), one per type in the team's type order.
TYPE_COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#7a5195", "#8c6d31")
NO_TYPE_COLOUR = "#b0b6be"


@dataclass(frozen=True)
class KindPanel:
    kind: Kind
    score: scoring.Score                      # over the period
    trend: list[tuple[date, scoring.Score]]   # one score per week with answers


@dataclass(frozen=True)
class Quote:
    text: str
    answered_at: datetime


@dataclass(frozen=True)
class Love:
    """What customers love: praise is no problem, so it is shown apart from the types (nothing to fix)."""
    count: int                        # praise verbatims in the period
    themes: list[listing.ThemeGroup]  # the largest groups of praise, over all time (theme tallies keep no week)
    quotes: list[Quote]               # the newest praise the model was sure of (or a triager confirmed)
    type_key: str = PRAISE            # the triage list's filter that shows it all


@dataclass(frozen=True)
class Board:
    period: metrics.Period
    has_surveys: bool
    has_customers: bool
    kinds: list[KindPanel]
    types: metrics.TypesOverTime
    type_names: dict[str | None, str]
    type_colours: dict[str | None, str]
    queue: list[fix_queue.Placed]
    to_do: int
    contacted: metrics.Share
    shipping: metrics.DaysToShip
    told: metrics.Told
    love: Love
    segment: Segment | None = None   # the scores are this segment's (the rest of the board is everyone's)
    reach: Reach | None = None       # how far the segment's answers were read
    channel: str | None = None       # the scores are this source's (survey, support-email, …); None: every source
    sources: list[tuple[str, int]] = ()          # scores in the period per source, most first
    touchpoints: list[TouchpointTable] = ()      # per kind: the score at each touchpoint


@dataclass(frozen=True)
class TouchpointTable:
    kind: Kind
    rows: list[tuple[str, scoring.Score]]  # (touchpoint, its score), worst first


def touchpoint_tables(points: dict[tuple[str, str], Counter]) -> list[TouchpointTable]:
    """score_tallies.by_touchpoint's tallies as a table per kind, the touchpoint where customers feel worst first."""
    tables = []
    for key in KINDS:
        rows = [(touchpoint, scoring.score_of(key, tally)) for (touchpoint, kind), tally in points.items() if kind == key]
        rows = [(touchpoint, score) for touchpoint, score in rows if score.n]
        if rows:
            tables.append(TouchpointTable(KINDS[key], sorted(rows, key=lambda row: (row[1].value, row[0]))))
    return tables


def build(now: datetime, weeks: int, settings: fix_queue.Settings, locale: str = "en",
          segment: Segment | None = None, channel: str | None = None) -> Board:
    span = metrics.period(now, weeks)
    kinds, reach = _kind_panels(span, segment, channel)
    first_week = span.week_starts[0]
    queue = fix_queue.ranked_queue(now, settings, statuses=policy.TO_DO)
    types = problem_types(all_types())
    counts = _type_counts(span)
    return Board(
        span, db.session.scalar(select(exists().where(Survey.id.is_not(None)))),
        db.session.scalar(select(exists().where(Customer.id.is_not(None)))),
        kinds, metrics.types_per_week(counts, span.week_starts, [t.key for t in types]),
        {t.key: t.name.get(locale, t.name["en"]) for t in types} | {None: _("No type (yet)")},
        {t.key: TYPE_COLOURS[i % len(TYPE_COLOURS)] for i, t in enumerate(types)} | {None: NO_TYPE_COLOUR},
        queue[:QUEUE_TOP], len(queue), _contacted(span), _shipping(span), _told(span),
        Love(metrics.praise_in(counts, span.week_starts), listing.theme_groups(listing.Filters(type=PRAISE),
                                                                               limit=LOVED_THEMES), _quotes()),
        segment, reach, channel, score_tallies.by_source(first_week).most_common(),
        touchpoint_tables(score_tallies.by_touchpoint(first_week)))


def _in(span: metrics.Period, column):
    return column.between(span.start, span.end)


def _kind_panels(span: metrics.Period, segment: Segment | None,
                 channel: str | None) -> tuple[list[KindPanel], Reach | None]:
    """Survey answers and scores from other channels sent with a kind (or one `channel`'s only), per kind; a kind
    appears once it has any answer in the period.
    Read from the score tallies (a few rows per week), not from the answers; a segment's counted from its
    answers among the period's newest (surveys.answering.segment_tallies)."""
    first_week, reach = span.week_starts[0], None
    if segment is None:
        weekly = score_tallies.weekly(channel=channel, first_week=first_week)
    else:
        counted = segment_weekly(segment, channel=channel, first_week=first_week)
        weekly, reach = counted.weeks, counted.reach
    by_kind: dict[str, dict[date, Counter]] = {}
    for (kind, week), tally in weekly.items():
        by_kind.setdefault(kind, {})[week] = tally
    return [KindPanel(KINDS[key], scoring.score_of(key, sum(by_kind[key].values(), Counter())),
                      scoring.weekly_trend_of(key, by_kind[key]))
            for key in KINDS if key in by_kind], reach


def _type_counts(span: metrics.Period) -> Counter:
    """Verbatims per (week, type): kept counts of the triage records, plus comments the sweep has not classified
    yet ("no type (yet)")."""
    counts = Counter(triage_tallies.weekly_types(span.week_starts[0]))
    waiting = [answer for answer in score_tallies.waiting() if answer.comment.strip()]
    recorded = set(db.session.scalars(select(TriageItem.response_id).where(
        TriageItem.response_id.in_([answer.id for answer in waiting])))) if waiting else set()
    for answer in waiting:
        if answer.id not in recorded:  # counted by its record already (the API classifies at once)
            counts[(week_start(answer.answered_at), None)] += 1
    return counts


def _quotes() -> list[Quote]:
    """The newest praise not waiting for review: a few entries of ix_triage_item_type_list, however many answers."""
    rows = db.session.execute(
        select(Response.comment, TriageItem.answered_at).join(Response, Response.id == TriageItem.response_id)
        .where(TriageItem.type_key == PRAISE, TriageItem.needs_review.is_(False))
        .order_by(TriageItem.answered_at.desc(), TriageItem.id.desc()).limit(LOVED_QUOTES))
    return [Quote(_shortened(comment), answered_at) for comment, answered_at in rows]


def _shortened(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= QUOTE_MAX:
        return text
    return text[:QUOTE_MAX].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


def _contacted(span: metrics.Period) -> metrics.Share:
    # Kept per person by triage.loop.reach: a sum over the period's weeks, not a read of its answers.
    return loop_reach.share(span.week_starts[0])


def _shipping(span: metrics.Period) -> metrics.DaysToShip:
    # Each link carries its answer's date (kept by triage.fixes.evidence), first in an index per fix: the earliest
    # feedback of a fix is one index step, not a read of all its answers.
    first_feedback = (select(func.min(FixLink.answered_at)).where(FixLink.fix_id == Fix.id)
                      .correlate(Fix).scalar_subquery())
    rows = db.session.execute(
        select(Fix.id, Fix.shipped_at, first_feedback).where(Fix.status == "shipped", _in(span, Fix.shipped_at)))
    return metrics.days_to_ship(metrics.ShippedFix(*row) for row in rows)


def _told(span: metrics.Period) -> metrics.Told:
    # Through fix_news (one row per news email), never by matching every outbox key by prefix.
    return metrics.told(db.session.execute(
        select(OutboxEmail.dedupe_key, OutboxEmail.status).join(FixNews, FixNews.email_id == OutboxEmail.id)
        .where(_in(span, OutboxEmail.created_at))))


@dashboard.get("/")
def home():
    raw = request.args.get("weeks")
    weeks = metrics.parse_weeks(raw)
    segment = requested_segment()
    channel = request.args.get("channel")
    channel = channel if channel and CHANNEL.fullmatch(channel) else None  # anything else: every source
    board = build(utcnow(), weeks or metrics.DEFAULT_WEEKS, fix_queue.settings_from(current_app.config),
                  str(get_locale()), segment, channel)
    return render_template("dashboard.html", board=board, periods=metrics.PERIODS,
                           bad_period=raw is not None and weeks is None, segments=listed_segments())
