"""The triage list's filters: one value, read from and written to query arguments in one place."""
import dataclasses

import pytest
from werkzeug.datastructures import MultiDict

from triage.verbatims.listing import Filters

# A value other than the default for every field; a new field without one fails here first.
SAMPLES = {"type": "pricing", "survey": 12, "language": "fa", "band": "unhappy", "needs_review": True,
           "theme": "export pdf", "segment": 3}


def test_every_field_has_a_sample():
    assert {f.name for f in dataclasses.fields(Filters)} == set(SAMPLES)


@pytest.mark.parametrize("name", [f.name for f in dataclasses.fields(Filters)])
def test_every_field_is_carried_through_the_url_round_trip(name):
    filters = dataclasses.replace(Filters(), **{name: SAMPLES[name]})
    assert filters != Filters()
    args = MultiDict({**filters.to_args(), "after": "x", "page": "2", "other": "y"})
    assert Filters.from_args(Filters.carried(args)) == filters
    assert Filters.from_args(args) == filters


def test_all_filters_at_once_and_none():
    every = Filters(**SAMPLES)
    assert Filters.from_args(MultiDict(every.to_args())) == every
    assert Filters().to_args() == {} and Filters.from_args(MultiDict()) == Filters()


def test_what_no_filter_takes_is_ignored_and_an_impossible_survey_refused():
    assert Filters.from_args(MultiDict({"language": "de", "band": "low", "review": "yes", "type": ""})) == Filters()
    for survey in ("0", "x", "99999999999"):
        with pytest.raises(ValueError):
            Filters.from_args(MultiDict({"survey": survey}))
    assert Filters.from_args(MultiDict({"survey": " "})) == Filters()


def test_links_carry_the_request_s_own_filter_arguments_in_its_order():
    args = MultiDict([("band", "unhappy"), ("after", "t"), ("language", "en"), ("theme", ""), ("x", "1")])
    assert list(Filters.carried(args).items()) == [("band", "unhappy"), ("language", "en")]


def test_the_export_command_has_an_option_for_every_filter():
    from triage.cli import export_command

    options = {option.name for option in export_command.params}
    assert {"type_key" if f.name == "type" else f.name for f in dataclasses.fields(Filters)} <= options
