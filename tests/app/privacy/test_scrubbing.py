"""After an erasure, the customer's address, name and words are nowhere in the SQLite files: not in
free space inside pages, not in the write-ahead log, not in a journal (the acceptance test of issue 9)."""
from pathlib import Path

import pytest

from tests.app.privacy.test_privacy import CHANNEL_WORDS, EMAIL, NAME, WORDS, customer_everywhere

TRACES = [EMAIL, NAME, WORDS, CHANNEL_WORDS, "Quentaro", "Velmira", "Quonstad", "zq-unique-7731"]


@pytest.fixture
def file_app(sqlite_file_app):
    return sqlite_file_app


def database_files(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in directory.iterdir() if path.name.startswith("feedback.db")}


def traces(files: dict[str, bytes]) -> set[tuple[str, str]]:
    # Lower-cased: the model stores stems ("quentaro"), emails are stored lower-cased.
    return {(name, trace) for name, data in files.items() for trace in TRACES
            if trace.lower().encode() in data.lower()}


def test_an_erased_customer_leaves_no_trace_in_the_database_files(file_app, tmp_path):
    customer_everywhere(file_app)
    assert {trace for _, trace in traces(database_files(tmp_path))} == set(TRACES)  # it was everywhere

    result = file_app.test_cli_runner().invoke(args=["customers", "erase", EMAIL, "--yes"])
    assert result.exit_code == 0, result.output
    # Read while the app's connections are still open: closing the last one would checkpoint the log
    # by itself and hide a log that still held the old pages.
    assert traces(database_files(tmp_path)) == set()
