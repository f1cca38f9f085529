"""Leads (线索) and opportunities (商机): two screens over the one Lead model,
split by `type`. Forms never write status, stage, lost fields or score: those
change through the show page's actions (views/lead_actions.py)."""
from __future__ import annotations

from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import NumberRange

from core.views.capped_count import CappedCountInterface
from core.views.record_view import RecordView

from ..models import Lead
from ..models.lead import LEAD, OPPORTUNITY
from .activity_panel import ActivityPanel
from .customer_pickers import CustomerPickers
from .lead_actions import LeadActions
from .lead_convert import LeadConvert
from .lead_labels import FORMATTERS

LABELS = {
    "name": _l("Subject"), "type": _l("Type"), "customer": _l("Customer"),
    "company": _l("Company"), "person": _l("Contact person"),
    "contact_name": _l("Contact name"), "company_name": _l("Company name"),
    "email": _l("E-mail"), "phone": _l("Phone"), "source": _l("Source"),
    "campaign": _l("Campaign"), "region": _l("Region"), "country_code": _l("Country code"),
    "description": _l("Description"), "owner": _l("Owner"), "team": _l("Sales team"),
    "stage": _l("Stage"), "status": _l("Status"), "lost_reason": _l("Lost reason"),
    "lost_note": _l("Lost note"), "closed_at": _l("Closed at"),
    "expected_revenue": _l("Expected revenue"), "currency": _l("Currency"),
    "probability": _l("Probability (%)"), "expected_close": _l("Expected close"),
    "priority": _l("Priority"), "score": _l("Score"), "tags": _l("Tags"),
    "created_at": _l("Created at"), "converted_at": _l("Converted at"),
}
LIST = ["name", "customer", "owner", "stage", "expected_revenue", "currency", "probability",
        "expected_close", "score", "priority"]
FORM = ["name", "company", "person", "company_name", "contact_name", "email", "phone",
        "source", "campaign", "region", "country_code", "owner", "team", "expected_revenue",
        "currency", "expected_close", "priority", "tags", "description"]
# a new lead takes its first stage's probability; later it is the user's estimate
EDIT = [*FORM[:FORM.index("expected_close")], "probability", *FORM[FORM.index("expected_close"):]]
SHOW = ["name", "type", "customer", "email", "phone", "source", "campaign", "region",
        "country_code", "owner", "team", "stage", "status", "lost_reason", "lost_note",
        "closed_at", "expected_revenue", "currency", "probability", "expected_close",
        "priority", "score", "tags", "description", "created_at", "converted_at"]
SEARCH = ["name", "company_name", "contact_name", "email", "source", "region", "country_code",
          "owner", "team", "stage", "status", "score", "priority", "expected_close", "tags"]


class _LeadViewBase(ActivityPanel, LeadActions, CustomerPickers, RecordView):
    datamodel = CappedCountInterface(Lead, eager_relations=("company", "person", "stage",
                                                        "currency", "owner"))
    lead_type = LEAD
    label_columns = LABELS
    formatters_columns = FORMATTERS
    list_columns = LIST
    add_columns = FORM
    edit_columns = EDIT
    show_columns = SHOW
    search_columns = SEARCH
    order_columns = ["name", "expected_revenue", "probability", "expected_close", "score",
                     "priority", "created_at"]
    base_order = ("created_at", "desc")
    validators_columns = {
        "probability": [NumberRange(0, 100)],
        "expected_revenue": [NumberRange(min=0)],
    }

    def _init_forms(self):
        # FAB would make the NOT NULL priority a required text box
        for extra in ("add_form_extra_fields", "edit_form_extra_fields"):
            setattr(self, extra, {**(getattr(self, extra, None) or {}), "priority": SelectField(
                _l("Priority"), coerce=int, default=0,
                choices=[(0, "-"), (1, "★"), (2, "★★"), (3, "★★★")])})
        super()._init_forms()

    def pre_add(self, item):
        item.type = self.lead_type  # the screen says which: no free write of the type


class LeadView(LeadConvert, _LeadViewBase):
    route_base = "/leadview"
    lead_type = LEAD
    base_filters = [["type", FilterEqual, LEAD]]
    list_title = _l("Leads")
    show_title = _l("Lead")
    add_title = _l("Add lead")
    edit_title = _l("Edit lead")


class OpportunityView(_LeadViewBase):
    route_base = "/opportunityview"
    lead_type = OPPORTUNITY
    base_filters = [["type", FilterEqual, OPPORTUNITY]]
    list_title = _l("Opportunities")
    show_title = _l("Opportunity")
    add_title = _l("Add opportunity")
    edit_title = _l("Edit opportunity")
