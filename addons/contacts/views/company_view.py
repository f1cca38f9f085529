from flask_babel import lazy_gettext as _l

from ..models import Company
from ..services.search.list_filter import ContactInterface
from .contact_view import ADDRESS, CLASSIFICATION, OWNERSHIP, ContactView
from .person_view import PersonView


class CompanyView(ContactView):
    datamodel = ContactInterface(Company)
    list_title = _l("Companies")
    show_title, add_title, edit_title = _l("Company"), _l("Add company"), _l("Edit company")
    list_columns = ["name", "city", "country_code", "tier", "owner", "active"]
    add_columns = edit_columns = (
        ["name", "tax_id", "phone_lines", "email_lines", "website"]
        + ADDRESS + CLASSIFICATION + OWNERSHIP + ["notes"])
    show_columns = (["name", "tax_id", "tax_id_normalised", "phone_list", "email_list",
                     "website"] + ADDRESS + CLASSIFICATION + OWNERSHIP + ["notes"])
    search_columns = ["name", "tax_id_normalised", "city", "country_code", "industry",
                      "source", "tier", "tags", "owner", "team", "active"]
    related_views = [PersonView]
