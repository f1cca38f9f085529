"""The list pages' search box (name, e-mail or phone): the indexed search
filter (services/search/list_filter.py) in a template of the addon's own."""
from __future__ import annotations

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


class ContactSearchBox:
    # FAB's views look templates up in their blueprint's folder too
    template_folder = str(TEMPLATES)
    list_template = "contacts/contact_list.html"
    base_order = ("name", "asc")

    # relations to tables of contacts: FAB's search form would render every row
    # as an <option> (400,000 companies: a minute per list page); people are
    # found by their company on its page, by REST, or through the search box
    big_relations = ("company",)

    def __init__(self, *args, **kwargs):
        if self.search_columns:
            self.search_columns = [c for c in self.search_columns if c not in self.big_relations]
        super().__init__(*args, **kwargs)
        # the indexed search is the name column's first filter
        self.extra_args = {**(self.extra_args or {}), "contact_search_param": "_flt_0_name"}
