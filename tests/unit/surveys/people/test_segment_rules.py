"""A segment's rules (surveys/people/segment_rules.py): what each line means, and a clear RuleError — never any
other exception — for anything else."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.people.segment_rules import (
    NAME_MAX, RULES_MAX, Rule, RuleError, check_name, number_of, parse_rule, parse_rules,
)


@pytest.mark.parametrize("text, field, op, values, kind", [
    ("plan = pro", "plan", "=", ("pro",), "attribute"),
    ("  plan=pro  ", "plan", "=", ("pro",), "attribute"),
    ("mrr >= 100", "mrr", ">=", ("100",), "attribute"),
    ("mrr>=100.5", "mrr", ">=", ("100.5",), "attribute"),
    ("mrr < -3", "mrr", "<", ("-3",), "attribute"),
    ("mrr <= 0", "mrr", "<=", ("0",), "attribute"),
    ("mrr > 7", "mrr", ">", ("7",), "attribute"),
    ("plan != free", "plan", "!=", ("free",), "attribute"),
    ("plan in pro, team ,pro", "plan", "in", ("pro", "team"), "attribute"),   # each value once
    ("plan IN pro", "plan", "in", ("pro",), "attribute"),
    ("company = Acme Inc", "company", "=", ("Acme Inc",), "attribute"),      # spaces inside a value stay
    ("Plan = Pro", "Plan", "=", ("Pro",), "attribute"),                       # attribute names keep their case
    ("STAGE = silent", "stage", "=", ("silent",), "stage"),
    ("stage in silent,at_risk", "stage", "in", ("silent", "at_risk"), "stage"),
    ("stage != lost", "stage", "!=", ("lost",), "stage"),
    ("locale = ar", "locale", "=", ("ar",), "locale"),
    ("nps <= 6", "nps", "<=", ("6",), "score"),
    ("nps = 0", "nps", "=", ("0",), "score"),
    ("csat in 1,2", "csat", "in", ("1", "2"), "score"),
    ("ces > 4", "ces", ">", ("4",), "score"),
    ("team.size >= 10", "team.size", ">=", ("10",), "attribute"),
])
def test_rules_read(text, field, op, values, kind):
    rule = parse_rule(text)
    assert (rule.field, rule.op, rule.values, rule.kind) == (field, op, values, kind)
    assert parse_rule(rule.text) == rule   # the stored text reads back as the same rule


@pytest.mark.parametrize("text, says", [
    ("", "empty"),
    ("   ", "empty"),
    ("plan", "is not FIELD OP VALUE"),
    ("plan pro", "is not FIELD OP VALUE"),
    ("= pro", "is not FIELD OP VALUE"),
    ("plan =", "has no value"),
    ("plan in ", "has no value"),
    ("plan ~ pro", "is not FIELD OP VALUE"),
    ("mrr >= lots", "needs a number"),
    ("mrr >= 1e3", "needs a number"),
    ("mrr < ١٢", "needs a number"),          # Arabic-Indic digits are not ASCII digits
    ("mrr > 1,000", "needs a number"),
    ("stage = asleep", "stage is one of new, active, silent, at_risk, lost"),
    ("stage >= silent", "takes = != or in"),
    ("stage in silent,,lost", "empty value"),
    ("locale = de", "locale is one of en, ar, fa"),
    ("nps <= 11", "from 0 to 10"),
    ("csat = 0", "from 1 to 5"),
    ("ces = 8", "from 1 to 7"),
    ("nps = six", "from 0 to 10"),
    ("nps = -1", "from 0 to 10"),
    ("nps = 6.5", "from 0 to 10"),
    ("1plan = pro", "is not a field name"),
    ("pl\"an = pro", "is not a field name"),   # a quote would break the JSON path
    ("plan = a\x00b", "visible characters"),
    ("plan = " + "x" * 600, "longer than"),
    ("plan in " + ",".join(str(n) for n in range(51)), "at most 50"),
])
def test_bad_rules_say_why(text, says):
    with pytest.raises(RuleError) as caught:
        parse_rule(text)
    assert says in str(caught.value)


def test_every_message_has_an_example_or_a_limit():
    for text in ("plan", "mrr > x", "stage = x", "nps = 99"):
        with pytest.raises(RuleError, match="e.g."):
            parse_rule(text)


def test_a_segment_reads_its_lines_and_names_the_bad_one():
    rules = parse_rules("plan = pro\n\n  \nmrr >= 100\n")
    assert [rule.text for rule in rules] == ["plan = pro", "mrr >= 100"]
    with pytest.raises(RuleError, match="^Rule 2: .*needs a number"):
        parse_rules(["plan = pro", "mrr >= x"])
    with pytest.raises(RuleError, match="at least one rule"):
        parse_rules(["", " "])
    with pytest.raises(RuleError, match=f"at most {RULES_MAX} rules"):
        parse_rules(["plan = pro"] * (RULES_MAX + 1))
    with pytest.raises(RuleError, match="list of lines"):
        parse_rules(42)
    with pytest.raises(RuleError, match="Rule 1: A rule is empty"):
        parse_rules([None])


def test_names():
    assert check_name("  Pro customers ") == "Pro customers"
    for bad in ("", "  ", None, "x" * (NAME_MAX + 1), "a\nb", 3):
        with pytest.raises(RuleError):
            check_name(bad)
    assert check_name("x" * NAME_MAX) == "x" * NAME_MAX


def test_numbers_are_what_the_database_guard_accepts():
    assert [number_of(v) for v in ("100", "-3", "2.50", "0")] == ["100", "-3", "2.50", "0"]
    assert [number_of(v) for v in ("", "1.", ".5", "+1", "1e3", " 1", "--1", "1.2.3", "١")] == [None] * 9


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=120), st.none(), st.integers(), st.binary(max_size=20),
                 st.builds(lambda f, o, v: f"{f} {o} {v}", st.sampled_from(["plan", "mrr", "stage", "nps", "locale",
                                                                            "ces", "x.y"]),
                           st.sampled_from(["=", "!=", "<", "<=", ">", ">=", "in", "=="]), st.text(max_size=40))))
def test_any_input_is_a_rule_or_a_rule_error(text):
    try:
        rule = parse_rule(text)
    except RuleError as error:
        assert str(error)
    else:
        assert isinstance(rule, Rule) and rule.values and parse_rule(rule.text) == rule


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=300), st.lists(st.one_of(st.text(max_size=40), st.none(), st.integers()),
                                                  max_size=25)))
def test_any_list_is_rules_or_a_rule_error(lines):
    try:
        assert parse_rules(lines)
    except RuleError:
        pass
