"""/api/v1/customers/export and /erase: the customer's rights, for admin tokens only.

Both take the address in a JSON body rather than the path, so it never lands in access logs.
"""
from __future__ import annotations

from flask import g
from flask.views import MethodView

from feedback_app.api.blueprint import api, write_errors
from feedback_app.api.errors import ApiError
from feedback_app.api.schemas.customers import AddressIn, CustomerExport, Erased
from feedback_app.core.clock import utcnow
from privacy.export import export_customer
from privacy.records import AlreadyErased, InvalidAddress, PrivacyError
from privacy.services import erase_customer


def _admins_only() -> None:
    role = g.api_token.role
    if role != "admin":
        raise ApiError(403, f"Only admin tokens may export or erase a customer's data; this token has the {role} role.")


def _refused(error: PrivacyError, already_erased: int = 404) -> ApiError:
    """Nothing held is 404; erasing an address erased before conflicts with that (409)."""
    if isinstance(error, InvalidAddress):
        return ApiError(422, str(error), {"email": [str(error)]})
    return ApiError(already_erased if isinstance(error, AlreadyErased) else 404, str(error))


@api.route("/customers/export", tags=["customers"])
class CustomerExportResource(MethodView):
    @api.arguments(AddressIn)
    @api.response(200, CustomerExport)
    @write_errors(404)
    def post(self, data):
        """Everything held about one customer

        Their attributes, invitations, answers, the fixes their answers support and those they were told
        about, beta-tester records and every email to them. Reads only; admin tokens only.
        """
        _admins_only()
        try:
            return export_customer(data["email"])
        except PrivacyError as error:
            raise _refused(error) from None


@api.route("/customers/erase", tags=["customers"])
class CustomerErasure(MethodView):
    @api.arguments(AddressIn)
    @api.response(200, Erased)
    @write_errors(404, 409)
    def post(self, data):
        """Erase a customer's personal data everywhere

        The customer, their words, emails to them and their beta-tester records go; anonymous scores stay,
        so results do not change. The address is never stored or emailed again unless an admin restores
        it. Recorded as when and by which token, never whose. 409 when it was erased already.
        """
        _admins_only()
        try:
            report = erase_customer(data["email"], f"token {g.api_token.name}", utcnow())
        except PrivacyError as error:
            raise _refused(error, already_erased=409) from None
        return {"erased": True, "removed": report.removed}
