"""Forms of the privacy page: shape only; privacy.services decides. Each has its own prefix, since
several sit on one page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import InputRequired, Length, ValidationError

ADDRESS_MAX = 320


def _address_field(label):
    return StringField(label, validators=[InputRequired(), Length(max=ADDRESS_MAX)])


class AddressForm(FlaskForm):
    """Look up, or restore, an address."""
    email = _address_field(_l("Email address"))


class ChosenAddressForm(FlaskForm):
    """A button about the address just looked up (download its data)."""
    email = HiddenField(validators=[InputRequired(), Length(max=ADDRESS_MAX)])


class EraseForm(ChosenAddressForm):
    confirm = _address_field(_l("Type the address again to erase everything held about it"))

    def validate_confirm(self, field):
        if field.data.strip().lower() != (self.email.data or "").strip().lower():
            raise ValidationError(_l("This is not the same address; nothing was erased."))


def lookup_form(**kwargs):
    return AddressForm(prefix="lookup", **kwargs)


def restore_form(**kwargs):
    return AddressForm(prefix="restore", **kwargs)


def export_form(**kwargs):
    return ChosenAddressForm(prefix="export", **kwargs)


def erase_form(**kwargs):
    return EraseForm(prefix="erase", **kwargs)
