"""Which routes answer without a team account, and why. The route audit fails on any route not
listed here that does not refuse an anonymous request."""
from __future__ import annotations

# endpoint → why it needs no signed-in team member
PUBLIC = {
    "accounts.login": "the sign-in form itself",
    "accounts.logout": "ends only the caller's own session; without one it does nothing",
    "public.survey_page": "the respondent's signed link is the credential",
    "public.submit_answer": "the respondent's signed link is the credential",
    "public.thanks": "the respondent's signed link is the credential",
    "public.answer_thanks": "the respondent's signed link is the credential (the thank-you page's question)",
    "public.unsubscribe_page": "the customer's signed unsubscribe link is the credential",
    "public.unsubscribe": "the customer's signed unsubscribe link is the credential (RFC 8058 one-click too)",
    "early_access.ask": "the customer's signed early-access link is the credential",
    "early_access.accept": "the customer's signed early-access link is the credential",
    "early_access.ask_advice": "the customer's signed advice link is the credential",
    "early_access.offer_advice": "the customer's signed advice link is the credential",
    "early_access.confirm": "the customer's signed stop-fix-news link is the credential",
    "early_access.stop": "the customer's signed stop-fix-news link is the credential (RFC 8058 one-click too)",
    "advocate.ask_page": "the customer's signed advocacy link is the credential",
    "advocate.answer": "the customer's signed advocacy link is the credential",
    "static": "stylesheets and scripts, the same for everyone",
    "api.openapi_json": "the API's description, so a client can be generated before it has a token",
    "brand.logo": "the team's logo, shown on every public page and email",
    "brand.colours": "the team's accent colour as a style sheet, loaded by every public page",
}

# Public routes that customers (and the mail scanners in front of them) open from an email.
FROM_EMAILS = {"public.survey_page", "public.submit_answer", "public.thanks", "public.answer_thanks",
               "public.unsubscribe_page",
               "public.unsubscribe", "early_access.ask", "early_access.accept", "early_access.confirm",
               "early_access.stop", "early_access.ask_advice", "early_access.offer_advice", "advocate.ask_page",
               "advocate.answer"}

# endpoint → why a viewer (read-only role) may still send it something other than GET
WRITES_FOR_EVERY_MEMBER = {
    "accounts.logout": "everyone may end their own session",
    "accounts.password": "everyone may change their own password (the current one is asked for)",
}

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def team_rules(app):
    """Every rule that must refuse strangers: (rule, endpoint, methods other than HEAD/OPTIONS)."""
    return [(rule, rule.endpoint, sorted(rule.methods - {"HEAD", "OPTIONS"}))
            for rule in app.url_map.iter_rules() if rule.endpoint not in PUBLIC]


def sample_path(rule, value: str = "1") -> str:
    """The rule's path with every argument filled in."""
    return rule.build({name: value for name in rule.arguments}, append_unknown=False)[1]
