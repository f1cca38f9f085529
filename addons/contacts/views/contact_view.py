"""What the company and person screens share: channels edited as lines,
validated on the form, and applied to the record before it is saved."""
from __future__ import annotations

from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget
from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField

from core.views.record_view import RecordView

from ..rules.tax_id_validation import normalise_tax_id
from ..services.contact_channels import as_lines, parse_emails, parse_phones, replace_channels
from .contact_search_box import ContactSearchBox
from .custom_field_columns import CustomFieldColumns
from .duplicate_check import DuplicateCheckMixin
from .export_actions import ContactExport
from .form_checks import ServiceCheck
from .merge_action import MergeAction
from .timeline_panel import TimelinePanel

ADDRESS = ["street", "city", "province", "postal_code", "country_code"]
CLASSIFICATION = ["industry", "source", "tier", "tags"]
OWNERSHIP = ["owner", "team", "active"]

LABELS = {
    "name": _l("Name"), "street": _l("Street"), "city": _l("City"),
    "province": _l("Province/State"), "postal_code": _l("Postal code"),
    "country_code": _l("Country code"), "website": _l("Website"),
    "industry": _l("Industry"), "source": _l("Source"), "tier": _l("Tier"),
    "tags": _l("Tags"), "owner": _l("Owner"), "team": _l("Sales team"),
    "notes": _l("Notes"), "active": _l("Active"), "phones": _l("Phones"),
    "emails": _l("E-mails"), "phone_lines": _l("Phones"),
    "email_lines": _l("E-mails"), "phone_list": _l("Phones"), "email_list": _l("E-mails"),
    "tax_id": _l("Tax ID"), "tax_id_normalised": _l("Tax ID (normalised)"),
    "job_title": _l("Job title"), "company": _l("Company"),
    "company_link": _l("Company"),
}


def channel_fields() -> dict:
    """Form-only fields: the text is turned into ContactPhone/ContactEmail rows in pre_add."""
    return {
        "phone_lines": TextAreaField(
            _l("Phones"), widget=BS3TextAreaFieldWidget(),
            description=_l("One per line, e.g. mobile: 138 0013 8000"),
            validators=[ServiceCheck(parse_phones)]),
        "email_lines": TextAreaField(
            _l("E-mails"), widget=BS3TextAreaFieldWidget(),
            description=_l("One per line, e.g. work: name@example.com"),
            validators=[ServiceCheck(parse_emails)]),
    }


class ContactView(ContactExport, DuplicateCheckMixin, MergeAction, TimelinePanel, ContactSearchBox,
                  CustomFieldColumns, RecordView):
    label_columns = LABELS
    validators_columns = {"tax_id": [ServiceCheck(normalise_tax_id)]}

    def __init__(self, *args, **kwargs):
        self.add_form_extra_fields = channel_fields()
        self.edit_form_extra_fields = channel_fields()
        super().__init__(*args, **kwargs)

    def prefill_form(self, form, pk):
        item = self.datamodel.get(pk)
        form.phone_lines.data = as_lines(item.phones)
        form.email_lines.data = as_lines(item.emails)

    def pre_add(self, item):
        # populate_obj left the form's text on the item as plain attributes
        replace_channels(item, parse_phones(getattr(item, "phone_lines", None)),
                         parse_emails(getattr(item, "email_lines", None)))

    pre_update = pre_add
