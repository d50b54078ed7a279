"""The beta's link and who hears that it is ready: worked examples of triage.loop.beta_rules."""
import pytest

from triage.loop import news
from triage.loop.beta_rules import BETA_READY, BETA_URL_MAX, BetaUrlError, check_beta_url, may_hear


@pytest.mark.parametrize("text, stored", [
    ("https://beta.example.com/exports", "https://beta.example.com/exports"),
    ("  http://10.0.0.7:8080/try?x=1#top \n", "http://10.0.0.7:8080/try?x=1#top"),  # trimmed; any host the team runs
    ("HTTPS://Beta.Example.com", "HTTPS://Beta.Example.com"),
    ("https://[2001:db8::1]/", "https://[2001:db8::1]/"),
])
def test_an_http_link_with_a_host_is_kept_as_typed(text, stored):
    assert check_beta_url(text) == stored


@pytest.mark.parametrize("text, says", [
    ("", "Give the beta link"), (None, "Give the beta link"), ("   ", "Give the beta link"),
    ("javascript:alert(1)", "http:// or https://"), ("data:text/html,hi", "http:// or https://"),
    ("mailto:beta@example.com", "http:// or https://"), ("ftp://beta.example.com/", "http:// or https://"),
    ("beta.example.com/x", "http:// or https://"), ("https:///path-only", "http:// or https://"),
    ("https://beta.example.com:99999/", "http:// or https://"), ("https://[::1/", "http:// or https://"),
    ("https://beta.example.com/a b", "spaces or control"), ("https://beta.example.com/\x00", "spaces or control"),
    ("https://b.example/" + "a" * (BETA_URL_MAX - 17), "at most 2000 characters (2001 given)"),
    (7, "must be text"),
])
def test_anything_else_is_refused_saying_why(text, says):
    with pytest.raises(BetaUrlError, match=says.replace("(", r"\(").replace(")", r"\)")):
        check_beta_url(text)


def test_the_longest_link_is_kept():
    longest = "https://b.example/" + "a" * (BETA_URL_MAX - 18)  # 18 + 1982 = 2000 characters
    assert check_beta_url(longest) == longest


@pytest.mark.parametrize("unsubscribed, stopped, address, hears", [
    (False, False, True, True), (True, False, True, False), (False, True, True, False), (False, False, False, False)])
def test_a_tester_hears_unless_they_stopped_our_emails(unsubscribed, stopped, address, hears):
    assert may_hear(unsubscribed, stopped, address) is hears


def test_the_ready_email_needs_the_title_in_the_readers_language_or_the_fallback():
    texts = news.Texts(titles={"en": "Exports that finish", "ar": "تصدير يكتمل"})
    readers = {1: "en", 2: "ar", 3: "fa"}
    refused = news.plan_news(BETA_READY, readers, texts)
    assert refused.refused and [(gap.locale, gap.recipients, gap.lacking) for gap in refused.gaps] == [
        ("fa", 1, ("title",))]
    # With English as the fallback, the Persian reader gets the whole email in English; no release note needed.
    assert news.plan_news(BETA_READY, readers, texts, "en").locales == {1: "en", 2: "ar", 3: "en"}
