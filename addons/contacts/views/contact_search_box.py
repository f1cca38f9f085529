"""The list pages' search box (name, e-mail or phone): the indexed search
filter (services/search_filter.py) in a template of the addon's own."""
from __future__ import annotations

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


class ContactSearchBox:
    # FAB's views look templates up in their blueprint's folder too
    template_folder = str(TEMPLATES)
    list_template = "contacts/contact_list.html"
    base_order = ("name", "asc")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the indexed search is the name column's first filter
        self.extra_args = {**(self.extra_args or {}), "contact_search_param": "_flt_0_name"}
