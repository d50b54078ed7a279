"""Segments as SQL: a segment's rules turned into one condition over Customer, the same on SQLite and PostgreSQL.

customer_condition(segment) is a boolean clause for any query whose FROM has Customer (the customers list, a
survey send); in_segment(segment, customer_id) is the same as an EXISTS for queries that hold only a customer's
id (an answer's respondent: surveys.people.respondents.respondent_customer_id). Attributes are JSON: they
compare as text, or as numbers where the value is a plain decimal — a value that is not one never matches and
is never cast (PostgreSQL would refuse the cast with an error). A score rule reads the customer's latest score
of the kind: the newer of their latest channel answer (response.customer_id, response.kind) and their latest
survey answer (through invitation.customer_id and the survey's kind), each found by an index.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import Boolean, Numeric, String, and_, case, cast, exists, false, literal, not_, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from surveys.models import Customer, Invitation, Response, Segment, Survey
from surveys.people.segment_rules import Rule, parse_rule


def customer_condition(segment: Segment | Iterable[str | Rule]):
    """A clause true for exactly the customers in the segment (every rule holds)."""
    texts = segment.rules if isinstance(segment, Segment) else segment
    rules = [text if isinstance(text, Rule) else parse_rule(text) for text in texts]
    return and_(*[_rule_condition(rule) for rule in rules]) if rules else false()


def in_segment(segment: Segment | Iterable[str | Rule], customer_id):
    """True where `customer_id` (a column or expression of the outer query) is a customer in the segment."""
    # The customer table of its own, never the outer query's (whose Customer, if any, is another row).
    return exists(select(Customer.id).where(Customer.id == customer_id, customer_condition(segment))
                  .correlate_except(Customer))


def _rule_condition(rule: Rule):
    if rule.kind == "attribute" and rule.op not in ("=", "!=", "in"):
        return _compare(_attribute_number(rule.field), rule.op, cast(literal(rule.value), Numeric))
    if rule.kind == "score":
        values = [int(value) for value in rule.values]
        return _compare(latest_score(rule.field), rule.op, values[0], values)
    column = {"stage": Customer.stage, "locale": Customer.locale}.get(rule.kind)
    if column is None:
        column = _attribute_text(rule.field)
    return _compare(column, rule.op, rule.value, list(rule.values))


def _compare(left, op: str, value, values=None):
    """left OP value; `!=` is "not =", so a customer without a value (NULL) is != anything."""
    if op == "in":
        return left.in_(values)
    if op == "!=":
        return or_(left.is_(None), not_(left == value))
    return {"=": left.__eq__, "<": left.__lt__, "<=": left.__le__, ">": left.__gt__, ">=": left.__ge__}[op](value)


def _attribute_text(name: str):
    # Cast: SQLite's JSON_EXTRACT gives a JSON number as a number, which never equals the text '100'.
    return cast(Customer.attributes[name].as_string(), String)


def _attribute_number(name: str):
    text = _attribute_text(name)
    return case((is_decimal_text(text), cast(text, Numeric)))


def latest_score(kind: str):
    """The customer's latest score on this kind's scale (a skipped scale is no score), correlated to Customer."""
    channel = (select(Response.score.label("score"), Response.answered_at.label("at"), Response.id.label("id"))
               .where(Response.customer_id == Customer.id, Response.kind == kind, Response.score.is_not(None))
               .order_by(Response.answered_at.desc(), Response.id.desc()).limit(1).correlate(Customer))
    surveyed = (select(Response.score.label("score"), Response.answered_at.label("at"), Response.id.label("id"))
                .select_from(Invitation).join(Response, Response.invitation_id == Invitation.id)
                .join(Survey, Survey.id == Invitation.survey_id)
                .where(Invitation.customer_id == Customer.id, Survey.kind == kind, Response.score.is_not(None))
                .order_by(Response.answered_at.desc(), Response.id.desc()).limit(1).correlate(Customer))
    # Each branch inside a subquery of its own: SQLite allows ORDER BY … LIMIT only on a whole compound select.
    both = union_all(select(channel.subquery().c), select(surveyed.subquery().c)).subquery("latest")
    return (select(both.c.score).order_by(both.c.at.desc(), both.c.id.desc()).limit(1)
            .correlate(Customer).scalar_subquery())


class is_decimal_text(FunctionElement):
    """True where a text is a plain decimal number (-?digits(.digits)?): the one test both databases run before
    casting an attribute to a number. segment_rules.NUMBER is the same shape for the rules' own values."""
    type = Boolean()
    name = "is_decimal_text"
    inherit_cache = True


@compiles(is_decimal_text, "postgresql")
def _decimal_text_postgresql(element, compiler, **kw):
    text = compiler.process(list(element.clauses)[0], **kw)
    return f"({text} ~ '^-?[0-9]+(\\.[0-9]+)?$')"


@compiles(is_decimal_text)
def _decimal_text_sqlite(element, compiler, **kw):
    # SQLite has no regular expressions: GLOB says the same without the minus — starts with a digit, nothing
    # but digits and dots, at most one dot, not last.
    text = compiler.process(list(element.clauses)[0], **kw)
    unsigned = f"(CASE WHEN substr({text}, 1, 1) = '-' THEN substr({text}, 2) ELSE {text} END)"
    return (f"({unsigned} GLOB '[0-9]*' AND NOT {unsigned} GLOB '*[^0-9.]*' "
            f"AND NOT {unsigned} GLOB '*.*.*' AND NOT {unsigned} GLOB '*.')")
