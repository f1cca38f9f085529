from ..models import Company
from ..services.search.list_filter import ContactInterface
from .contact_api import SEARCHED, SHOWN, WRITTEN, ContactApi


class CompanyApi(ContactApi):
    resource_name = "company"
    datamodel = ContactInterface(Company)
    list_columns = [*ContactApi.list_columns, "tax_id_normalised"]
    show_columns = ["id", "tax_id", "tax_id_normalised", *SHOWN, "people.id", "people.name"]
    add_columns = edit_columns = ["tax_id", *WRITTEN]
    search_columns = [*SEARCHED, "tax_id_normalised"]
