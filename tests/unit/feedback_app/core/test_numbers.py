import pytest

from feedback_app.core.numbers import BIGINT_MAX, ID_MAX, whole_number


@pytest.mark.parametrize("raw, expected", [
    ("7", 7), (" 42 ", 42), ("0", 0), ("007", 7), (str(BIGINT_MAX), BIGINT_MAX),
])
def test_whole_numbers(raw, expected):
    assert whole_number(raw) == expected


@pytest.mark.parametrize("raw", [
    None, "", "  ", "-1", "+1", "1.0", "1e3", "0x10", "1_000", "ten",
    "²", "١٢", "۱۲", "１２",              # digits to str.isdigit(), but not to us (int("²") raises)
    str(BIGINT_MAX + 1), str(2**64),     # more than a BIGINT holds
    "9" * 5000,                          # int() refuses this many digits with an exception
    "0" * 30 + "1",                      # more digits than any BIGINT, even if its value is small
    "1\x00", "\x00",
])
def test_anything_else_is_not_a_number(raw):
    assert whole_number(raw) is None


def test_ids_are_what_an_integer_column_holds():
    assert whole_number(str(ID_MAX), 1, ID_MAX) == ID_MAX and whole_number(str(ID_MAX + 1), 1, ID_MAX) is None


def test_bounds_are_inclusive():
    assert [whole_number(str(n), 1, 5) for n in range(7)] == [None, 1, 2, 3, 4, 5, None]
