"""Example addon used by the tests: extends contacts' Company with two fields
(its migration adds the columns), a fieldset on the forms, a panel and an
action on the company page, and a column on the companies list."""
from sqlalchemy import Column, Date, Integer

from addons.contacts.models import Company
from addons.contacts.views.company_view import CompanyView
from core.views.screen_slots import Action, Fieldset, ListColumn, Panel


def visit_summary(_view, company) -> dict:
    """The panel's variables: the company as the page loaded it."""
    return {"visits": company.visit_count or 0, "last": company.last_visit}


def register(addon):
    addon.extend(Company, visit_count=Column(Integer), last_visit=Column(Date),
                 labels={"visit_count": "Visits", "last_visit": "Last visit"})
    addon.extend_screen(
        CompanyView,
        Fieldset("Visits", ["visit_count", "last_visit"], order=10),
        Panel("visits/company_visits.html", context=visit_summary, order=30),
        ListColumn("visit_count", label="Visits"),
        Action("Plan a visit", "CompanyView.edit", icon="fa-calendar"),
    )
