"""Praise is a built-in outcome that is no problem; every other type, the team's own included, is one."""
from triage.classification.types import BUILTIN_KEYS, BUILTIN_TYPES, NOT_PROBLEM_KEYS, PRAISE, is_problem, problem_types


def test_praise_is_built_in_named_in_every_language_and_is_the_only_outcome_with_nothing_to_fix():
    praise = next(t for t in BUILTIN_TYPES if t.key == PRAISE)
    assert PRAISE in BUILTIN_KEYS and not praise.problem
    assert set(praise.name) == set(praise.description) == {"en", "ar", "fa"}
    assert praise.name["en"] == "Praise" and all(praise.name.values())
    assert NOT_PROBLEM_KEYS == {PRAISE}


def test_problems_are_every_other_type_a_team_type_and_the_not_yet_classified():
    assert not is_problem(PRAISE)
    assert all(is_problem(key) for key in BUILTIN_KEYS if key != PRAISE)
    assert is_problem("onboarding") and is_problem(None)
    assert [t.key for t in problem_types(BUILTIN_TYPES)] == [k for k in BUILTIN_KEYS if k != PRAISE]
