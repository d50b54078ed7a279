import pytest

from surveys.importing import NotACustomerCSV, parse_customer_csv


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
    reasons = dict(parsed.errors)
    assert "not valid" in reasons[3] and "de" in reasons[5] and "3 fields" in reasons[6] and "line 2" in reasons[7]


def test_quoted_fields_with_commas_and_newlines_and_a_bom():
    parsed = parse_customer_csv('\ufeffemail,name\n"a@example.com","Doe, Jane\nJr."\n'.encode())
    assert parsed.rows[0].name == "Doe, Jane\nJr." and not parsed.errors


@pytest.mark.parametrize("data, message", [
    (b"", "empty"),
    ("name,plan\nAna,team\n".encode(), "'email'"),
    ("email,name\nana@example.com,Jos\xe9\n".encode("latin-1"), "not UTF-8"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary"),
    (b"email,email\na@example.com,b@example.com\n", "same name"),
])
def test_files_that_are_not_customer_csv_are_refused(data, message):
    with pytest.raises(NotACustomerCSV, match=message):
        parse_customer_csv(data)
