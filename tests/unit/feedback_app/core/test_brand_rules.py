"""The brand's rules: the WCAG contrast of white text on the accent colour, colour parsing, names, logo types."""
import pytest

from feedback_app.core.brand_rules import (
    LOGO_MAX_BYTES,
    MIN_CONTRAST,
    NAME_MAX,
    Problem,
    check_colour,
    check_logo,
    clean_name,
    contrast_ratio,
    logo_type,
    parse_colour,
    relative_luminance,
)


@pytest.mark.parametrize("first, second, expected", [
    ("#000000", "#ffffff", 21.0),       # the largest contrast there is
    ("#ffffff", "#ffffff", 1.0),
    ("#777777", "#ffffff", 4.48),       # the classic grey that just fails AA
    ("#767676", "#ffffff", 4.54),       # and the one that just passes
    ("#1f4e79", "#ffffff", 8.66),       # the app's own blue
    ("#ffffff", "#0a5c36", 8.09),       # symmetric: the order does not matter
])
def test_contrast_ratio_follows_wcag(first, second, expected):
    assert contrast_ratio(first, second) == pytest.approx(expected, abs=0.01)


def test_relative_luminance_ends():
    assert relative_luminance("#000000") == 0 and relative_luminance("#ffffff") == pytest.approx(1)


@pytest.mark.parametrize("text, expected", [
    ("#0A5C36", "#0a5c36"), ("0a5c36", "#0a5c36"), ("#0b3", "#00bb33"), ("  #1f4e79 ", "#1f4e79"),
    ("#12345", None), ("#ggg", None), ("red", None), ("#1f4e79ff", None), ("", None), ("#٠٠٠", None),
])
def test_parse_colour(text, expected):
    assert parse_colour(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("#0a5c36", "#0a5c36"),             # dark green: white text reads well
    ("#767676", "#767676"),             # exactly past 4.5:1
    ("", None), ("   ", None),          # no colour wanted
])
def test_colours_white_text_reads_on_are_accepted(text, expected):
    assert check_colour(text) == expected


@pytest.mark.parametrize("text", ["#777777", "#ffcc00", "#ffffff", "#4caf50"])
def test_colours_too_light_for_white_text_are_refused_with_their_ratio(text):
    problem = check_colour(text)
    assert isinstance(problem, Problem) and (problem.field, problem.key) == ("colour", "contrast")
    assert 1 <= problem.ratio < MIN_CONTRAST


def test_a_colour_that_is_no_hex_code_is_refused_as_such():
    assert check_colour("teal") == Problem("colour", "format")


@pytest.mark.parametrize("text, expected", [
    ("Acme", "Acme"), ("  Acme   Trading  Co ", "Acme Trading Co"), ("شركة النور", "شركة النور"),
    ("", Problem("name", "missing")), ("   ", Problem("name", "missing")),
    ("x" * (NAME_MAX + 1), Problem("name", "too_long")), ("x" * NAME_MAX, "x" * NAME_MAX),
    ("Acme\x00", Problem("name", "control")), ("Ac\x9fme", Problem("name", "control")),
])
def test_clean_name(text, expected):
    assert clean_name(text) == expected


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 20
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 20
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize("data, expected", [
    (PNG, "image/png"), (JPEG, "image/jpeg"), (WEBP, "image/webp"),
    (SVG, None), (b"GIF89a" + b"\x00" * 10, None), (b"RIFF\x10\x00\x00\x00WAVE", None), (b"", None),
])
def test_logo_types_are_known_by_their_bytes(data, expected):
    assert logo_type(data) == expected


def test_logos_are_checked_for_type_and_size():
    assert check_logo(PNG) == "image/png"
    assert check_logo(SVG) == Problem("logo", "type")
    assert check_logo(b"") == Problem("logo", "empty")
    assert check_logo(PNG + b"\x00" * LOGO_MAX_BYTES) == Problem("logo", "too_big")
