"""PURE: a segment's rules — `FIELD OP VALUE` lines read, checked and explained when they are wrong.

Standard library only (and the pure facts of the survey kinds and languages). A segment is a name and a list
of rules that must all hold. Fields: `stage` (the retention stage), `locale`, `nps`/`csat`/`ces` (the
customer's latest score of that kind) and any other name, which is one of the customer's attributes (the
customer import's other columns). Operators: = != < <= > >= and `in` (a comma list). `!=` is exactly "not =":
a customer without a value (no attribute, no score, no stage yet) is != anything. An attribute compares as
text for = != in and as a number for < <= > >=, where a value that is not a number simply does not match.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from feedback_app.core.languages import LOCALES
from feedback_app.core.refusals import N_, Refusal
from surveys.scales.kinds import KINDS

STAGES = ("new", "active", "silent", "at_risk", "lost")
SCORE_FIELDS = tuple(KINDS)  # nps, csat, ces
EQUALITY_OPS = ("=", "!=", "in")
ORDER_OPS = ("<", "<=", ">", ">=")
OPS = EQUALITY_OPS + ORDER_OPS

NAME_MAX = 80          # Segment.name
RULES_MAX = 20         # rules in one segment
RULE_MAX = 500         # characters in one rule
VALUE_MAX = 1000       # an attribute value is at most this long (the customer import's MAX_FIELD)
IN_MAX = 50            # values in one `in` list
# A number as an attribute may hold it and as the database's guard recognises it (surveys.people.segments
# matches exactly this pattern in SQL): optional minus, digits, optional decimals. No exponent, no spaces.
NUMBER = re.compile(r"-?[0-9]{1,15}(\.[0-9]{1,6})?")
# An attribute's name: what a CSV header reasonably is, and safe inside a JSON path on both databases.
ATTRIBUTE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,63}")
# Field, operator, value; the longest operators first so `<=` is not read as `<` followed by `=…`.
_RULE = re.compile(r"\s*([^\s=!<>]+)\s*(!=|<=|>=|=|<|>|\s[iI][nN]\s)\s*(.*?)\s*", re.DOTALL)

EXAMPLES = "plan = pro, mrr >= 100, stage = silent, nps <= 6, plan in pro,team"


class RuleError(Refusal):
    """A rule (or a segment) that cannot be used, and what would be right instead."""


@dataclass(frozen=True)
class Rule:
    field: str                 # stage, locale, nps/csat/ces, or an attribute's name
    op: str                    # one of OPS
    values: tuple[str, ...]    # one value, or the `in` list
    text: str                  # the rule as stored: normalised spacing

    @property
    def kind(self) -> str:
        """stage, locale, score or attribute: which part of the customer the rule reads."""
        if self.field in ("stage", "locale"):
            return self.field
        return "score" if self.field in SCORE_FIELDS else "attribute"

    @property
    def value(self) -> str:
        return self.values[0]


def parse_rule(text: object) -> Rule:
    """One rule, checked; RuleError saying what is wrong and showing an example otherwise."""
    if not isinstance(text, str) or not text.strip():
        raise RuleError(N_("A rule is empty: write FIELD OP VALUE, e.g. %(examples)s."), examples=EXAMPLES)
    if len(text) > RULE_MAX:
        raise RuleError(N_("A rule is longer than %(count)d characters."), count=RULE_MAX)
    match = _RULE.fullmatch(text)
    if not match:
        raise RuleError(N_("%(rule)s is not FIELD OP VALUE (operators: %(ops)s), e.g. %(examples)s."),
                        rule=_shown(text), ops=" ".join(OPS), examples=EXAMPLES)
    field, op, raw = match.group(1), match.group(2).strip().lower(), match.group(3)
    if not raw:
        raise RuleError(N_("%(rule)s has no value after %(op)s, e.g. plan = pro."), rule=_shown(text), op=repr(op))
    values = _values(field, op, raw)
    field = field.lower() if field.lower() in ("stage", "locale", *SCORE_FIELDS) else field
    if not ATTRIBUTE.fullmatch(field):
        raise RuleError(N_("%(field)s is not a field name: letters, digits, _ . - (at most 64), starting with a "
                           "letter or _, e.g. plan."), field=_shown(field))
    rule = Rule(field, op, values, f"{field} {op} {','.join(values)}")
    _check(rule)
    return rule


def parse_rules(lines: object) -> list[Rule]:
    """A segment's rules (all must hold). Blank lines are skipped; at least one rule; RuleError names the line."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    if not isinstance(lines, (list, tuple)):
        raise RuleError(N_("The rules must be a list of lines."))
    given = [line for line in lines if not (isinstance(line, str) and not line.strip())]
    if not given:
        raise RuleError(N_("A segment needs at least one rule, e.g. %(examples)s."), examples=EXAMPLES)
    if len(given) > RULES_MAX:
        raise RuleError(N_("A segment has at most %(count)d rules."), count=RULES_MAX)
    rules = []
    for number, line in enumerate(given, 1):
        try:
            rules.append(parse_rule(line))
        except RuleError as error:
            raise RuleError(N_("Rule %(number)d: %(reason)s"), number=number, reason=error) from None
    return rules


def check_name(name: object) -> str:
    """A segment's name, stripped: 1 to NAME_MAX characters, one line."""
    if not isinstance(name, str) or not name.strip():
        raise RuleError(N_("A segment needs a name, e.g. Pro customers."))
    name = name.strip()
    if len(name) > NAME_MAX:
        raise RuleError(N_("A segment's name is at most %(count)d characters."), count=NAME_MAX)
    if any(not character.isprintable() for character in name):
        raise RuleError(N_("A segment's name is one line of visible characters."))
    return name


def number_of(value: str) -> str | None:
    """The value as the number text the database compares (NUMBER), or None if it is not one."""
    return value if NUMBER.fullmatch(value) else None


def _values(field: str, op: str, raw: str) -> tuple[str, ...]:
    if op != "in":
        return (raw,)
    values = tuple(part.strip() for part in raw.split(","))
    if any(not value for value in values):
        raise RuleError(N_("%(field)s in …: an empty value in the list; separate values by commas, e.g. plan in "
                           "pro,team."), field=field)
    if len(values) > IN_MAX:
        raise RuleError(N_("%(field)s in …: at most %(count)d values."), field=field, count=IN_MAX)
    return tuple(dict.fromkeys(values))  # each once, in the order given


def _check(rule: Rule) -> None:
    if any(len(value) > VALUE_MAX for value in rule.values):
        raise RuleError(N_("%(field)s: a value is longer than %(count)d characters."), field=rule.field, count=VALUE_MAX)
    if any(not value.isprintable() for value in rule.values):
        raise RuleError(N_("%(field)s: a value must be visible characters on one line."), field=rule.field)
    if rule.kind == "stage":
        _check_choice(rule, STAGES, "stage = silent")
    elif rule.kind == "locale":
        _check_choice(rule, LOCALES, "locale = ar")
    elif rule.kind == "score":
        kind = KINDS[rule.field]
        for value in rule.values:
            if not (value.isascii() and value.isdigit() and len(value) <= 2 and kind.accepts(int(value))):
                raise RuleError(N_("%(field)s is the latest %(kind)s score, a whole number from %(low)s to %(high)s, "
                                   "not %(value)s; e.g. %(field)s <= %(example)s."), field=rule.field,
                                kind=kind.key.upper(), low=kind.low, high=kind.high, value=_shown(value),
                                example=kind.high // 2)
    elif rule.op in ORDER_OPS and number_of(rule.value) is None:
        raise RuleError(N_("%(field)s %(op)s needs a number (digits, an optional minus and decimals), not "
                           "%(value)s; e.g. %(field)s %(op)s 100."), field=rule.field, op=rule.op,
                        value=_shown(rule.value))


def _check_choice(rule: Rule, choices: tuple[str, ...], example: str) -> None:
    if rule.op in ORDER_OPS:
        raise RuleError(N_("%(field)s takes = != or in, not %(op)s; e.g. %(example)s."), field=rule.field, op=rule.op,
                        example=example)
    for value in rule.values:
        if value not in choices:
            raise RuleError(N_("%(field)s is one of %(choices)s, not %(value)s; e.g. %(example)s."), field=rule.field,
                            choices=", ".join(choices), value=_shown(value), example=example)


def _shown(text: str) -> str:
    """Input quoted in a message, cut short so one bad line cannot flood a page."""
    return repr(text if len(text) <= 60 else text[:57] + "…")
