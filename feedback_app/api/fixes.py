"""/api/v1/fixes: create fixes from verbatims, read the ranked queue and one fix, change a fix.

Status changes go through triage.fixes.services.edit_fix, the same use case as the team's pages, so planned and
shipped news reaches each opted-in respondent once (the outbox's key), in the same transaction.
"""
from __future__ import annotations

from flask import current_app, url_for
from flask.views import MethodView

from feedback_app.api.blueprint import api, errors, write_errors
from feedback_app.api.errors import ApiError
from feedback_app.api.responses import iso
from feedback_app.api.schemas.fixes import (
    AdviserPage,
    BetaIn,
    BetaTesterPage,
    ContributionPage,
    FixDetail,
    FixesQuery,
    FixIn,
    FixItem,
    FixList,
    FixListQuery,
    FixPatch,
    ResponseIdPage,
    ToldPage,
)
from feedback_app.core.clock import utcnow
from feedback_app.core.extensions import db
from triage.fixes import evidence
from triage.fixes import lists as fix_lists
from triage.fixes import queue as fix_queue
from triage.fixes import services as fix_cases
from triage.fixes.services import FixChange
from triage.models import Fix


def _settings() -> fix_queue.Settings:
    return fix_queue.settings_from(current_app.config)


def present(placed: fix_queue.Placed) -> dict:
    fix = placed.fix
    return {"id": fix.id, "title": fix.title, "type": fix.type_key, "status": fix.status, "cost": fix.cost,
            "impact": placed.impact.value, "quadrant": placed.quadrant, "rank": placed.rank,
            "respondents": placed.impact.respondents}


def present_contribution(c) -> dict:
    return {"respondent": c.respondent, "unhappiness": round(c.unhappiness, 4), "value": round(c.value, 4),
            "recency": round(c.recency, 4), "weight": round(c.weight, 4)}


def present_told(email) -> dict:
    return {"event": email.dedupe_key.split(":")[0], "recipient": email.recipient, "status": email.status,
            "queued_at": iso(email.created_at), "sent_at": iso(email.sent_at)}


def present_tester(row) -> dict:
    tester, customer = row
    return {"email": customer.email, "asked_at": iso(tester.created_at)}


def present_adviser(row) -> dict:
    adviser, customer = row
    return {"email": customer.email, "name": customer.name, "locale": customer.locale,
            "offered_at": iso(adviser.created_at)}


def _next(endpoint: str, fix_id: int, page: fix_lists.Page, per_page: int) -> str | None:
    return url_for(endpoint, fix_id=fix_id, after=page.next, per_page=per_page) if page.next else None


def present_detail(record: fix_queue.FixRecord, per_page: int = fix_lists.API_PAGE) -> dict:
    fix, impact = record.placed.fix, record.placed.impact
    notes = fix.release_notes or {}
    return {**present(record.placed), "description": fix.description, "release_note": notes.get("en", ""),
            "public_title": fix.public_titles or {}, "release_notes": notes, "news_fallback": fix.news_fallback,
            "linked": record.placed.links, "response_ids": record.response_ids.rows,
            "impact_breakdown": {
                "value": impact.value, "computed": impact.computed, "overridden": impact.overridden,
                "override_reason": fix.override_reason, "evidence_sum": round(impact.evidence_sum, 4),
                "contributions": [present_contribution(c) for c in impact.contributions]},
            "told": [present_told(email) for email in record.told.rows],
            "beta_testers": [present_tester(row) for row in record.beta_testers.rows],
            "advisers": [present_adviser(row) for row in record.advisers.rows],
            "beta_url": fix.beta_url, "beta_opened_at": iso(fix.beta_opened_at),
            "next": {"response_ids": _next("api.FixResponseIds", fix.id, record.response_ids, per_page),
                     "contributions": _next("api.FixContributions", fix.id, record.people, per_page),
                     "told": _next("api.FixTold", fix.id, record.told, per_page),
                     "beta_testers": _next("api.FixBetaTesters", fix.id, record.beta_testers, per_page),
                     "advisers": _next("api.FixAdvisers", fix.id, record.advisers, per_page)},
            "created_at": iso(fix.created_at), "updated_at": iso(fix.updated_at),
            "planned_at": iso(fix.planned_at), "shipped_at": iso(fix.shipped_at)}


def _fix(fix_id: int) -> Fix:
    fix = db.session.get(Fix, fix_id)
    if fix is None:
        raise ApiError(404, f"There is no fix {fix_id}.")
    return fix


@api.route("/fixes", tags=["fixes"])
class FixQueue(MethodView):
    @api.arguments(FixesQuery, location="query", unknown="raise")
    @api.response(200, FixList)
    @errors(422)
    def get(self, query):
        """The ranked queue

        Every fix in rank order: quick wins, then major projects, fill-ins and time sinks, each by impact
        per unit of cost. Filtering never renumbers the ranks.
        """
        queue = fix_queue.ranked_queue(utcnow(), _settings(), query.get("status") or None, query.get("type"))
        return {"fixes": [present(placed) for placed in queue]}

    @api.arguments(FixIn)
    @api.response(201, FixItem)
    @write_errors()
    def post(self, data):
        """Create a fix

        With its cost (1–5) and, optionally, the verbatims that support it; answers with its impact,
        quadrant and rank.
        """
        now = utcnow()
        try:
            fix = fix_cases.create_fix(FixChange(title=data["title"], cost=data["cost"], type_key=data.get("type"),
                                                 description=data["description"], **_news_texts(data)), now,
                                       response_ids=data["response_ids"])
        except fix_cases.FixError as error:
            raise ApiError(422, str(error)) from None
        return present(fix_queue.placed(fix, now, _settings(), people=0))


@api.route("/fixes/<int:fix_id>", tags=["fixes"])
class OneFix(MethodView):
    @api.response(200, FixDetail)
    @errors(404)
    def get(self, fix_id):
        """One fix, with its impact breakdown and who was told"""
        return present_detail(fix_queue.fix_record(_fix(fix_id), utcnow(), _settings()))

    @api.arguments(FixPatch)
    @api.response(200, FixDetail)
    @write_errors(404)
    def patch(self, data, fix_id):
        """Change a fix

        All in one transaction, or nothing on any error: e.g. `release_notes` with `status: shipped`.
        Shipping emails each linked respondent who opted in and is subscribed — once per fix, however
        often its status changes — wholly in their language: `public_title` and `release_notes` must
        have it, or `news_fallback` names the language they read instead; otherwise 422 names the
        languages and how many recipients read each, and nothing changes. `notify_planned` does the
        same with the "planned" news (the title only) and an early-access link.
        """
        fix, now = _fix(fix_id), utcnow()
        try:
            queued = fix_cases.edit_fix(fix, now, **_edits(data))
        except fix_cases.FixError as error:
            raise ApiError(422, str(error)) from None
        return {**present_detail(fix_queue.fix_record(fix, now, _settings())), "emails_queued": queued}


def _edits(data: dict) -> dict:
    """The PATCH body as edit_fix's arguments: the fields as one FixChange, then the status and its news."""
    fields = {name: data[name] for name in ("title", "description", "cost", "release_note") if name in data}
    fields.update(_news_texts(data))
    if "type" in data:
        fields["type_key"] = data["type"] or ""  # null clears the type
    if "impact_override" in data:
        if data["impact_override"] is None:
            fields["clear_override"] = True
        else:
            fields.update(impact_override=data["impact_override"], reason=data.get("reason"))
    return {"change": FixChange(**fields), "status": data.get("status"),
            "tell_planned": data.get("notify_planned", False)}


def _news_texts(data: dict) -> dict:
    """The customer-facing texts of a request as FixChange's fields (a null fallback allows none)."""
    texts = {"public_titles": data.get("public_title"), "release_notes": data.get("release_notes")}
    if "news_fallback" in data:
        texts["news_fallback"] = data["news_fallback"] or ""
    return texts


# ---------------------------------------------------------------- one fix's lists, a page at a time

@api.route("/fixes/<int:fix_id>/response-ids", tags=["fixes"])
class FixResponseIds(MethodView):
    @api.arguments(FixListQuery, location="query", unknown="raise")
    @api.response(200, ResponseIdPage)
    @errors(404, 422)
    def get(self, query, fix_id):
        """The verbatims linked to a fix, by id, ascending; `next` is the next page's URL"""
        page = fix_lists.response_ids(_fix(fix_id), query.get("after"), query["per_page"])
        return {"response_ids": page.rows, "next": _next("api.FixResponseIds", fix_id, page, query["per_page"])}


@api.route("/fixes/<int:fix_id>/contributions", tags=["fixes"])
class FixContributions(MethodView):
    @api.arguments(FixListQuery, location="query", unknown="raise")
    @api.response(200, ContributionPage)
    @errors(404, 422)
    def get(self, query, fix_id):
        """Each person behind a fix with their factors, the heaviest first; `next` is the next page's URL"""
        fix, settings, now = _fix(fix_id), _settings(), utcnow()
        basis = evidence.refresh_if_stale(settings.policy.half_life_days, settings.value_attribute, now)
        page = fix_lists.people(fix, basis.reference, now, settings.policy.half_life_days, query.get("after"),
                                query["per_page"])
        return {"contributions": [present_contribution(p.contribution) for p in page.rows],
                "next": _next("api.FixContributions", fix_id, page, query["per_page"])}


@api.route("/fixes/<int:fix_id>/told", tags=["fixes"])
class FixTold(MethodView):
    @api.arguments(FixListQuery, location="query", unknown="raise")
    @api.response(200, ToldPage)
    @errors(404, 422)
    def get(self, query, fix_id):
        """The news of a fix each respondent was sent, oldest first; `next` is the next page's URL

        The planned and shipped news and the beta's "ready to try" email (`event`: fix-planned, fix-shipped,
        fix-beta-ready)."""
        page = fix_lists.told(_fix(fix_id), query.get("after"), query["per_page"])
        return {"told": [present_told(email) for email in page.rows],
                "next": _next("api.FixTold", fix_id, page, query["per_page"])}


@api.route("/fixes/<int:fix_id>/beta-testers", tags=["fixes"])
class FixBetaTesters(MethodView):
    @api.arguments(FixListQuery, location="query", unknown="raise")
    @api.response(200, BetaTesterPage)
    @errors(404, 422)
    def get(self, query, fix_id):
        """The customers who asked to try a fix early; `next` is the next page's URL"""
        page = fix_lists.beta_testers(_fix(fix_id), query.get("after"), query["per_page"])
        return {"beta_testers": [present_tester(row) for row in page.rows],
                "next": _next("api.FixBetaTesters", fix_id, page, query["per_page"])}


@api.route("/fixes/<int:fix_id>/advisers", tags=["fixes"])
class FixAdvisers(MethodView):
    @api.arguments(FixListQuery, location="query", unknown="raise")
    @api.response(200, AdviserPage)
    @errors(404, 422)
    def get(self, query, fix_id):
        """The customers who offered to advise the team on a fix; `next` is the next page's URL"""
        page = fix_lists.advisers(_fix(fix_id), query.get("after"), query["per_page"])
        return {"advisers": [present_adviser(row) for row in page.rows],
                "next": _next("api.FixAdvisers", fix_id, page, query["per_page"])}


@api.route("/fixes/<int:fix_id>/beta", tags=["fixes"])
class FixBeta(MethodView):
    @api.arguments(BetaIn)
    @api.response(200, FixDetail)
    @write_errors(404)
    def post(self, data, fix_id):
        """Open a fix's beta

        For a planned or in-progress fix: sets its beta link (`url`, http or https) and emails "ready to try"
        to every beta tester who may hear, in the same transaction — each tester once ever, so posting again
        with a new link changes only the link later testers receive (they are told as they join). Refused
        (422, nothing changed) for another status, a bad link, or a tester whose language lacks the fix's
        `public_title` without a `news_fallback`. `emails_queued` says how many were queued now.
        """
        fix, now = _fix(fix_id), utcnow()
        try:
            queued = fix_cases.open_beta(fix, data["url"], now)
        except fix_cases.FixError as error:
            db.session.rollback()
            raise ApiError(422, str(error)) from None
        return {**present_detail(fix_queue.fix_record(fix, now, _settings())), "emails_queued": queued}
