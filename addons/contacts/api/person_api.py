from ..models import Person
from ..services.search.list_filter import ContactInterface
from .contact_api import SEARCHED, SHOWN, WRITTEN, ContactApi


class PersonApi(ContactApi):
    resource_name = "person"
    datamodel = ContactInterface(Person)
    # no "company.id"/"company.name" yet: FAB joins contacts_company under an alias
    # there, and the record rules' criteria then name the unaliased table (a 500 in
    # core/security/record_rules.py, to fix there); the company is written by id
    list_columns = [*ContactApi.list_columns, "job_title"]
    show_columns = ["id", "job_title", *SHOWN]
    add_columns = edit_columns = ["job_title", "company", *WRITTEN]
    search_columns = [*SEARCHED, "company", "job_title"]
