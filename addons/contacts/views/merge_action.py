""""Merge" on the company and person lists: the selected rows go to the merge screen."""
from __future__ import annotations

from flask import redirect, url_for
from flask_appbuilder.actions import action
from flask_babel import lazy_gettext as _l


class MergeAction:
    """Put before RecordView in a contact view's bases."""

    @action("merge", _l("Merge"), None, "fa-compress", single=False, multiple=True)
    def merge_selected(self, items):
        items = items if isinstance(items, list) else [items]
        kind = "company" if self.datamodel.obj.__tablename__ == "contacts_company" else "person"
        ids = ",".join(str(item.id) for item in items if item is not None)
        return redirect(url_for("MergeView.choose", kind=kind, ids=ids))
