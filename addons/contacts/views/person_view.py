from flask_babel import lazy_gettext as _l

from ..models import Person
from ..services.search.list_filter import ContactInterface
from .company_picker import CompanyPicker
from .contact_view import ADDRESS, CLASSIFICATION, OWNERSHIP, ContactView


class PersonView(CompanyPicker, ContactView):
    datamodel = ContactInterface(Person)
    list_title = _l("People")
    show_title, add_title, edit_title = _l("Person"), _l("Add person"), _l("Edit person")
    list_columns = ["name", "company_link", "job_title", "city", "owner", "active"]
    add_columns = edit_columns = (
        ["name", "company", "job_title", "phone_lines", "email_lines", "website"]
        + ADDRESS + CLASSIFICATION + OWNERSHIP + ["notes"])
    show_columns = (["name", "company_link", "job_title", "phone_list", "email_list",
                     "website"] + ADDRESS + CLASSIFICATION + OWNERSHIP + ["notes"])
    search_columns = ["name", "company", "job_title", "city", "country_code", "industry",
                      "source", "tier", "tags", "owner", "team", "active"]
