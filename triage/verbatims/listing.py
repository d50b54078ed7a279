"""The triage list and its theme groups, read a page at a time whatever the number of verbatims.

A page is one range of an index that starts with the filter and ends in the list's order (models.LIST_ORDER):
first what people should review, what teaches the model most first (triage.classification.teaching), then the
newest. Pages follow each other by keyset — the next page starts after the last row shown — so page 5,000 costs
what page 1 costs, and no page counts every row: the counts come from the tallies (triage.verbatims.tallies). Theme groups come from the theme tallies.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Callable, Mapping

from sqlalchemy import exists, false, func, select, true, tuple_
from sqlalchemy.orm import aliased, joinedload, selectinload

from feedback_app.core.extensions import db
from feedback_app.core.languages import LOCALES
from feedback_app.core.numbers import ID_MAX, whole_number
from feedback_app.core.paging import position_token, read_position
from surveys.models import Invitation, Response, Segment
from surveys.people.respondents import answer_in_band
from surveys.people.segments import in_segment
from surveys.scales.kinds import BAND_NAMES
from triage.classification import teaching
from triage.models import LIST_ORDER, ThemeTally, TriageItem, TypeTally
from triage.models import ThemeGroup as GroupRow

PAGE_SIZE = 50


LANGUAGES = (*LOCALES, "und")  # "und": no language could be told


def _text(raw: str | None) -> str | None:
    return raw or None


def _survey(raw: str | None) -> int | None:
    survey = whole_number(raw, 1, ID_MAX)
    if survey is None and (raw or "").strip():
        raise ValueError("a filter by a survey that cannot exist")
    return survey


def _one_of(choices: tuple[str, ...]) -> Callable[[str | None], str | None]:
    return lambda raw: raw if raw in choices else None


def _arg(name: str, read: Callable[[str | None], object], write: Callable[[object], str] = str) -> dict:
    """A filter's query argument: its name, how its text is read, how its value is written."""
    return {"arg": name, "read": read, "write": write}


@dataclass(frozen=True)
class Filters:
    """The triage list's filters, also the API's, the export's and the CLI's. Each field names its query
    argument and how it is read and written (from_args, to_args, carried): a new field travels through
    every link, redirect and form of the list, or the round-trip test fails. Variants: dataclasses.replace."""
    type: str | None = field(default=None, metadata=_arg("type", _text))
    survey: int | None = field(default=None, metadata=_arg("survey", _survey))
    language: str | None = field(default=None, metadata=_arg("language", _one_of(LANGUAGES)))
    # unhappy | neutral | happy (surveys.scales.kinds.BANDS)
    band: str | None = field(default=None, metadata=_arg("band", _one_of(BAND_NAMES)))
    needs_review: bool = field(default=False, metadata=_arg("review", lambda raw: raw == "1", lambda _: "1"))
    theme: str | None = field(default=None, metadata=_arg("theme", _text))  # a theme group's key
    # A saved segment's id (surveys.models.Segment): verbatims whose customer is in it.
    segment: int | None = field(default=None, metadata=_arg("segment", _survey))

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        """The filters of a request's query arguments; ValueError for one no list can have (a survey id that
        cannot exist). Values no filter takes are ignored, as the list always did."""
        return cls(**{f.name: f.metadata["read"](args.get(f.metadata["arg"])) for f in fields(cls)})

    def to_args(self) -> dict[str, str]:
        """The query arguments that read back as these filters (those set only)."""
        return {f.metadata["arg"]: f.metadata["write"](value) for f in fields(self)
                if (value := getattr(self, f.name)) != f.default}

    @classmethod
    def arg_names(cls) -> tuple[str, ...]:
        return tuple(f.metadata["arg"] for f in fields(cls))

    @classmethod
    def carried(cls, args: Mapping[str, str]) -> dict[str, str]:
        """A request's filter arguments as it gave them, in its order: what the list's links carry back to it
        (from its first page)."""
        return _given(args, cls.arg_names())


PAGE_ARGS = ("after", "before")  # where a page of the list starts (after a row) or ends (before one)


def list_args(args: Mapping[str, str]) -> dict[str, str]:
    """The list's filters and page as a request gave them: what a confirm, a correct or a link to a fix
    carries back to the same page of the same list."""
    return _given(args, (*Filters.arg_names(), *PAGE_ARGS))


def _given(args: Mapping[str, str], names: tuple[str, ...]) -> dict[str, str]:
    return {k: v for k, v in args.items() if k in names and v}


def conditions(filters: Filters, on_answers: bool = False) -> list:
    """What each filter means, as SQL on the triage record. `on_answers`: for queries over answers joined
    to their (maybe missing) record and survey — the survey and the band then come from the answer itself,
    so an answer the sweep has not reached yet is still found by them."""
    where = []
    if filters.type == "none":
        where.append(TriageItem.type_key.is_(None))
    elif filters.type:
        where.append(TriageItem.type_key == filters.type)
    if filters.survey:
        where.append((Response.survey_id if on_answers else TriageItem.survey_id) == filters.survey)
    if filters.language:
        where.append(TriageItem.language == filters.language)
    if filters.needs_review:
        where.append(TriageItem.needs_review == true())
    if filters.theme:
        where.append(TriageItem.theme_group == filters.theme)
    if filters.band:
        where.append(answer_in_band(filters.band) if on_answers else TriageItem.band == filters.band)
    if filters.segment:
        where.append(_answered_by_segment(filters.segment, Response.id if on_answers else TriageItem.response_id))
    return where


def _answered_by_segment(segment_id: int, response_id):
    """The answer `response_id` names was given by a customer of the segment (none: nothing matches). Its own
    copies of the answer and invitation tables, so it fits any outer query: found by primary keys, then the
    segment's rules on that one customer."""
    segment = db.session.get(Segment, segment_id)
    if segment is None:
        return false()
    answer, invitation = aliased(Response), aliased(Invitation)
    return exists(select(answer.id).outerjoin(invitation, invitation.id == answer.invitation_id)
                  .where(answer.id == response_id,
                         in_segment(segment, func.coalesce(answer.customer_id, invitation.customer_id))))


# ---------------------------------------------------------------- a page of the list

@dataclass(frozen=True)
class Cursor:
    """Where a page starts or ends: the order's values of one row."""
    needs_review: bool
    review_priority: int
    answered_at: datetime
    id: int

    def token(self) -> str:
        return position_token(str(int(self.needs_review)), str(self.review_priority), moment=self.answered_at,
                              row=self.id)

    @classmethod
    def parse(cls, token: str | None) -> Cursor | None:
        """None for no token; ValueError for one that is not ours."""
        if not token:
            return None
        (review, priority), moment, row = read_position(token, leading=2)
        if review not in ("0", "1") or not priority.isdigit() or int(priority) > teaching.SCALE:
            raise ValueError("not a page of this list")
        return cls(review == "1", int(priority), moment, row)

    @classmethod
    def of(cls, item: TriageItem) -> Cursor:
        return cls(bool(item.needs_review), item.review_priority or 0, item.answered_at, item.id)

    @classmethod
    def opening_at(cls, item: TriageItem) -> Cursor:
        """The position whose next page (`after` it) opens with this record: its own key with the id one higher.
        Ids are unique and last in the order, so no record lies between the two. What another page links to
        for "this verbatim in the triage list" (the customer page)."""
        return cls(bool(item.needs_review), item.review_priority or 0, item.answered_at, item.id + 1)

    def key(self):
        return tuple_(self.needs_review, self.review_priority, self.answered_at, self.id)


@dataclass(frozen=True)
class ListPage:
    items: list[TriageItem]
    next: Cursor | None      # the page after this one starts after this row
    previous: Cursor | None  # the page before this one ends before this row
    total: int | None        # every verbatim the filters select; None when no tally can say


ORDER_KEY = tuple_(*(getattr(TriageItem, name) for name in LIST_ORDER))


def list_page(filters: Filters, after: Cursor | None = None, before: Cursor | None = None,
              size: int = PAGE_SIZE) -> ListPage:
    if filters.segment:
        return _segment_page(filters, after, before, size)
    query = select(TriageItem).where(*conditions(filters), TriageItem.answered_at.is_not(None)).options(
        joinedload(TriageItem.group),  # its name, in the same statement: pages show it for the record's theme
        selectinload(TriageItem.response).selectinload(Response.survey),
        selectinload(TriageItem.response).selectinload(Response.customer),
        selectinload(TriageItem.response).selectinload(Response.invitation).selectinload(Invitation.customer))
    if before is not None:  # the page before: read backwards from its end, then turn it round
        rows = db.session.scalars(query.where(ORDER_KEY > before.key())
                                  .order_by(*[c.asc() for c in _order()]).limit(size + 1)).all()
        more_before, items = len(rows) > size, list(reversed(rows[:size]))
        return ListPage(items, Cursor.of(items[-1]) if items else None,
                        Cursor.of(items[0]) if more_before and items else None, count(filters))
    if after is not None:
        query = query.where(ORDER_KEY < after.key())
    rows = db.session.scalars(query.order_by(*[c.desc() for c in _order()]).limit(size + 1)).all()
    items = rows[:size]
    return ListPage(items, Cursor.of(items[-1]) if len(rows) > size else None,
                    Cursor.of(items[0]) if after is not None and items else None, count(filters))


# A segment is a condition on each verbatim's customer, which no index of the list holds: a page reads on through
# the list until it has `size` of the segment's verbatims, but through SEGMENT_SCAN verbatims at most, then stops
# with a shorter (maybe empty) page whose "next" starts after the last one read.
SEGMENT_SCAN = 2000


def _segment_page(filters: Filters, after: Cursor | None, before: Cursor | None, size: int) -> ListPage:
    others = replace(filters, segment=None)
    backwards = before is not None
    window = select(TriageItem.id).where(*conditions(others), TriageItem.answered_at.is_not(None))
    if backwards:
        window = window.where(ORDER_KEY > before.key()).order_by(*[c.asc() for c in _order()])
    else:
        window = window.where(ORDER_KEY < after.key()) if after is not None else window
        window = window.order_by(*[c.desc() for c in _order()])
    scanned = window.limit(SEGMENT_SCAN).subquery()
    order = [c.asc() if backwards else c.desc() for c in _order()]
    query = (select(TriageItem).where(TriageItem.id.in_(select(scanned.c.id)), *conditions(filters))
             .options(*_loads()).order_by(*order).limit(size + 1))
    rows = db.session.scalars(query).all()
    edge = None  # the last verbatim read, when the scan stopped before a full page was found
    if len(rows) <= size:
        edge = db.session.scalar(select(TriageItem).where(TriageItem.id.in_(
            window.offset(SEGMENT_SCAN - 1).limit(1).scalar_subquery())))
    items = rows[:size]  # nearest first
    further = Cursor.of(items[-1]) if len(rows) > size else (Cursor.of(edge) if edge else None)
    if backwards:
        items = list(reversed(items))
        # Back to the page we came from: from its first row on (an empty page here still links to it).
        return ListPage(items, Cursor.of(items[-1]) if items else replace(before, id=before.id + 1), further, None)
    if after is None:
        return ListPage(items, further, None, None)
    return ListPage(items, further, Cursor.of(items[0]) if items else replace(after, id=after.id - 1), None)


def _loads() -> tuple:
    return (joinedload(TriageItem.group),
            selectinload(TriageItem.response).selectinload(Response.survey),
            selectinload(TriageItem.response).selectinload(Response.customer),
            selectinload(TriageItem.response).selectinload(Response.invitation).selectinload(Invitation.customer))


def _order():
    return tuple(getattr(TriageItem, name) for name in LIST_ORDER)


def count(filters: Filters) -> int | None:
    """How many verbatims the filters select, from the tallies: one small sum, never a count of the list."""
    if filters.segment:
        return None  # no tally is kept by customer
    if filters.theme:
        if filters.needs_review:
            return None  # theme tallies are not kept by review state
        return _theme_count(filters)
    table = TypeTally
    query = select(func.coalesce(func.sum(table.count), 0)).where(*_tally_conditions(table, filters))
    if filters.needs_review:
        query = query.where(table.needs_review == true())
    return db.session.scalar(query)


def _tally_conditions(table, filters: Filters) -> list:
    where = []
    if filters.type:
        where.append(table.type_key == ("" if filters.type == "none" else filters.type))
    if filters.survey:
        where.append(table.survey_id == filters.survey)
    if filters.language:
        where.append(table.language == filters.language)
    if filters.band:
        where.append(table.band == filters.band)
    return where


def _theme_count(filters: Filters) -> int:
    return db.session.scalar(select(func.coalesce(func.sum(ThemeTally.count), 0)).where(
        ThemeTally.theme_group == filters.theme, *_tally_conditions(ThemeTally, filters)))


# ---------------------------------------------------------------- theme groups

@dataclass(frozen=True)
class ThemeGroup:
    key: str              # the group's two strongest stems: the list's theme filter
    label: str            # what pages show: the team's name for it, else its automatic label
    count: int
    type_key: str | None  # the most common type among the members
    name: str | None = None  # the team's name, if it gave one
    automatic: str = ""      # the theme of its first member, in the customer's words


def theme_groups(filters: Filters, limit: int = 50, offset: int = 0) -> list[ThemeGroup]:
    """The largest groups of similar verbatims under the list's filters ("23 — slow PDF export"): read from
    the groups' kept sizes, or summed from the theme tallies when a filter applies. `offset`: the themes
    page's later pages (groups are far fewer than answers, so an offset stays cheap)."""
    where = _tally_conditions(ThemeTally, filters)
    if where:
        sizes = db.session.execute(
            select(ThemeTally.theme_group, func.sum(ThemeTally.count).label("members")).where(*where)
            .group_by(ThemeTally.theme_group).having(func.sum(ThemeTally.count) > 0)
            .order_by(func.sum(ThemeTally.count).desc(), ThemeTally.theme_group).limit(limit).offset(offset)).all()
    else:
        sizes = db.session.execute(select(GroupRow.key, GroupRow.size).where(GroupRow.size > 0)
                                   .order_by(GroupRow.size.desc(), GroupRow.key).limit(limit).offset(offset)).all()
    keys = [key for key, _ in sizes]
    labels = {key: (name, label) for key, label, name in db.session.execute(
        select(GroupRow.key, GroupRow.label, GroupRow.name).where(GroupRow.key.in_(keys)))}
    types = _commonest_types(keys, where)
    return [ThemeGroup(key, name or label, members, types.get(key), name, label)
            for key, members in sizes for name, label in [labels.get(key, (None, key))]]


def _commonest_types(keys: list[str], where: list) -> dict[str, str | None]:
    best: dict[str, tuple[int, str]] = {}
    for key, type_key, members in db.session.execute(
            select(ThemeTally.theme_group, ThemeTally.type_key, func.sum(ThemeTally.count))
            .where(ThemeTally.theme_group.in_(keys), *where).group_by(ThemeTally.theme_group, ThemeTally.type_key)):
        if type_key and members > best.get(key, (0, ""))[0]:
            best[key] = (members, type_key)
    return {key: type_key for key, (_, type_key) in best.items()}


