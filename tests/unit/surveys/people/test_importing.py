import codecs
import io

import pytest

from surveys.people.importing import (
    EMAIL_MAX,
    MAX_FIELD,
    NAME_MAX,
    SNIFF,
    CustomerCSV,
    CustomerRow,
    LineError,
    NotACustomerCSV,
    parse_customer_csv,
)


def english(errors) -> list[tuple[int, str]]:
    """The lines' reasons as the command line prints them (each is a Refusal: its str() is the English)."""
    return [(line, str(reason)) for line, reason in errors]


def test_valid_rows_are_kept_and_broken_rows_reported_with_their_line():
    data = ("email,name,locale,plan,mrr\n"
            "ANA@Example.com,Ana,en,team,49\n"
            "not-an-email,Bob,en,free,0\n"
            "sara@example.com,سارة,ar-SA,business,299\n"
            "x@example.com,X,de,free,0\n"
            "short@example.com,too,few\n"
            "ana@example.com,Ana again,en,team,49\n"
            ",,,,\n"
            "reza@example.com,رضا,,free,\n").encode()
    parsed = parse_customer_csv(data)
    assert [row.email for row in parsed.rows] == ["ana@example.com", "sara@example.com", "reza@example.com"]
    assert parsed.rows[0].attributes == {"plan": "team", "mrr": "49"}
    assert parsed.rows[1].locale == "ar"
    assert parsed.rows[2].locale is None and parsed.rows[2].attributes == {"plan": "free"}
    assert [line for line, _ in parsed.errors] == [3, 5, 6, 7]
    reasons = dict(english(parsed.errors))
    assert "not valid" in reasons[3] and "de" in reasons[5] and "3 fields" in reasons[6] and "line 2" in reasons[7]


def test_quoted_fields_with_commas_and_newlines_and_a_bom():
    parsed = parse_customer_csv('\ufeffemail,name\n"a@example.com","Doe, Jane\nJr."\n'.encode())
    assert parsed.rows[0].name == "Doe, Jane\nJr." and not parsed.errors


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    ("name,plan\nAna,team\n".encode(), "'email'"),
    ("email,nombre,año\nana@example.com,José,1\n".encode("latin-1"), "not UTF-8"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "binary"),  # an .xlsx is a zip
    (codecs.BOM_UTF16_LE + "email\nana@example.com\n".encode("utf-16-le"), "UTF-16"),
    ("email\nana@example.com\n".encode("utf-16-le"), "binary"),  # the same without its byte-order mark
    (b"email,name\nana@example.com,A\x00na\n", "binary"),  # NULs in the first 4 KB: not a text file
    (b"email," + b"a" * SNIFF + b",na\x00me\n", "first line contains a NUL"),  # past them
    (b"email,email\na@example.com,b@example.com\n", "same name"),
])
def test_files_that_are_not_customer_csv_are_refused(data, message):
    with pytest.raises(NotACustomerCSV, match=message):
        parse_customer_csv(data)


def test_a_nul_anywhere_is_an_error_of_its_line_and_the_other_lines_import():
    # The 4 KB sniff once let a NUL further down through to PostgreSQL, which refused the whole import.
    filler = "".join(f"person{i}@example.com,Person {i}\n" for i in range(300))
    data = ("email,name\n" + filler + "nul@example.com,Nu\x00l\n" + "last@example.com,Last\n").encode()
    assert len(data) > 2 * SNIFF
    parsed = parse_customer_csv(data)
    assert english(parsed.errors) == [(302, "contains a NUL character")]
    assert len(parsed.rows) == 301 and parsed.rows[-1].email == "last@example.com"


def test_a_line_that_is_not_utf8_is_an_error_of_its_line():
    # Past the first 4 KB, which decide whether the whole file is UTF-8 text.
    filler = "".join(f"person{i}@example.com,Person {i}\n" for i in range(300)).encode()
    data = b"email,name\n" + filler + "jose@example.com,José\n".encode("latin-1") + b"sara@example.com,Sara\n"
    parsed = parse_customer_csv(data)
    assert [line for line, _ in parsed.errors] == [302] and "not UTF-8" in str(parsed.errors[0][1])
    assert len(parsed.rows) == 301 and parsed.rows[-1].email == "sara@example.com"


def test_a_character_cut_by_the_first_4_kb_is_not_mistaken_for_broken_text():
    head = b"email,name\n" + "".join(f"p{i}@example.com,P\n" for i in range(215)).encode() + b"last@example.com,"
    pad = SNIFF - 1 - len(head)
    data = head + b"a" * pad + "ب".encode() * 3 + b"\n"
    assert 0 <= pad < 100 and data[SNIFF - 1:SNIFF] == "ب".encode()[:1]
    parsed = parse_customer_csv(data)
    assert not parsed.errors and parsed.rows[-1].name == "a" * pad + "ببب"


@pytest.mark.parametrize("line, reason", [
    ("ana@example.com," + "n" * (NAME_MAX + 1) + ",team", f"name is longer than {NAME_MAX}"),
    ("ana@example.com,Ana," + "p" * (MAX_FIELD + 1), f"'plan' is longer than {MAX_FIELD}"),
    ("a" * 300 + "@" + "b" * 30 + ".com,Ana,team", f"email is longer than {EMAIL_MAX}"),
    (".".join(["a" * 60] * 2) + "@" + ".".join(["c" * 60] * 3) + ".com,Ana,team", "too long"),  # no address
])
def test_values_longer_than_their_column_are_errors_of_their_line(line, reason):
    parsed = parse_customer_csv(f"email,name,plan\n{line}\nok@example.com,Ok,free\n".encode())
    assert [line for line, _ in parsed.errors] == [2] and reason in str(parsed.errors[0][1])
    assert [row.email for row in parsed.rows] == ["ok@example.com"]


def test_values_exactly_as_long_as_their_column_are_kept():
    name, plan = "ن" * NAME_MAX, "p" * MAX_FIELD
    parsed = parse_customer_csv(f"email,name,plan\nana@example.com,{name},{plan}\n".encode())
    assert not parsed.errors and parsed.rows[0].name == name and parsed.rows[0].attributes == {"plan": plan}


# ------------------------------------------------------------------ read as a stream

class Trickle(io.RawIOBase):
    """A pipe that hands over a few bytes at a time (cutting characters and lines anywhere), and
    remembers how far it has been read."""

    def __init__(self, data: bytes, step: int = 7):
        self.data, self.step, self.position = data, step, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        piece = self.data[self.position:self.position + min(self.step, len(buffer))]
        buffer[:len(piece)] = piece
        self.position += len(piece)
        return len(piece)


MIXED = ("\ufeffemail,name,locale,plan\r\n"
         "ana@example.com,Ana,en,team\r\n"
         "broken,Bob,en,free\r\n"
         '"sara@example.com","سارة\r\nالثانية",ar,business\r\n'
         "reza@example.com,رضا,fa,free\n"
         "\r\n"
         "ANA@example.com,Ana again,en,team\r"
         "short@example.com,x\n"
         + "".join(f"f{n}@example.com,F,en,free\n" for n in range(200))  # past the first 4 KB:
         ).encode() + "jose@example.com,José,en,free\n".encode("latin-1")  # a broken line, not a broken file


@pytest.mark.parametrize("step", [1, 2, 3, 7, 4096, 1 << 20])
def test_a_stream_read_in_any_pieces_gives_what_the_whole_file_gives(step):
    whole = parse_customer_csv(MIXED)
    items = list(CustomerCSV(io.BufferedReader(Trickle(MIXED, step), buffer_size=max(step, 1))))
    assert [i for i in items if isinstance(i, CustomerRow)] == whole.rows
    assert english(i for i in items if isinstance(i, LineError)) == english(whole.errors)
    assert [row.email for row in whole.rows[:4]] == ["ana@example.com", "sara@example.com", "reza@example.com",
                                                     "f0@example.com"] and len(whole.rows) == 203
    assert whole.rows[1].name == "سارة\r\nالثانية"
    assert [line for line, _ in whole.errors] == [3, 8, 9, 210]
    assert "line 2" in str(whole.errors[1].reason) and "not UTF-8" in str(whole.errors[3].reason)


def test_lines_come_out_as_the_file_is_read_not_after_it():
    rows = 20_000
    data = ("email,name\n" + "".join(f"p{n}@example.com,P {n}\n" for n in range(rows))).encode()
    source = Trickle(data, step=1 << 16)
    lines = CustomerCSV(source)
    first = next(iter(lines))
    assert first.email == "p0@example.com"
    assert source.position < 100_000 < len(data)  # a few read-ahead chunks of a ~500 KB file
    rest = list(lines)
    assert len(rest) == rows - 1 and lines.bytes_read == len(data)


def test_a_duplicate_far_down_the_file_is_still_an_error_of_its_line():
    data = ("email\n" + "".join(f"p{n}@example.com\n" for n in range(5000)) + "P17@Example.com\n").encode()
    items = list(CustomerCSV(Trickle(data, step=4096)))
    assert english(items[-1:]) == [(5002, "p17@example.com is already on line 19")]


def test_a_file_that_cannot_be_a_customer_csv_is_refused_when_opened_before_any_line_is_read():
    with pytest.raises(NotACustomerCSV, match="binary"):
        CustomerCSV(Trickle(b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" * 500))
    with pytest.raises(NotACustomerCSV, match="'email'"):
        CustomerCSV(Trickle(b"name,plan\n" + b"Ana,team\n" * 2000))


# ------------------------------------------------------------------ the customer's lifetime

def test_customer_since_and_ended_at_are_read_as_utc_and_kept_out_of_the_attributes():
    from datetime import datetime

    parsed = parse_customer_csv(
        "email,customer_since,ended_at,plan\n"
        "ana@example.com,2025-03-01,2026-02-01T18:00:00+03:30,pro\n"   # 18:00 at +03:30 is 14:30 UTC
        "badr@example.com,2025-03-01T09:00:00Z,,pro\n"
        "sara@example.com,,,\n"
        "reza@example.com,01/03/2025,,pro\n"
        "omid@example.com,2026-01-01,2025-12-31,pro\n".encode())
    assert [(r.email, r.customer_since, r.ended_at, r.attributes) for r in parsed.rows] == [
        ("ana@example.com", datetime(2025, 3, 1), datetime(2026, 2, 1, 14, 30), {"plan": "pro"}),
        ("badr@example.com", datetime(2025, 3, 1, 9), None, {"plan": "pro"}),
        ("sara@example.com", None, None, {})]
    assert english(parsed.errors) == [
        (5, "customer_since: '01/03/2025' is not an ISO date or time (such as 2026-01-31, 2026-01-31T14:05:00 or "
            "2026-01-31T14:05:00+03:30)"),
        (6, "ended_at (2025-12-31 00:00) is before customer_since (2026-01-01 00:00)")]
