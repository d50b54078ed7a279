"""The two blueprints of the survey pages, defined once: `public` (the customer's signed links: the survey
page, its thanks, unsubscribe) and `surveys` (the team's survey and customer pages, signed-in only). The view
modules (surveys.answering.views, surveys.people.views, surveys.asking.views) add their routes to them;
feedback_app.factory imports those and registers these."""
from flask import Blueprint

from feedback_app.accounts.access import require_login_for

# No CSRF token on `public`: the token in the URL is the respondent's only credential and no cookie is
# involved, so a forger would need the token itself (feedback_app.web.security leaves it out of its checks).
public = Blueprint("public", __name__)
team = Blueprint("surveys", __name__)
require_login_for(team)
