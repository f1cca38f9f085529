"""The duplicate groups screen: contacts sharing an e-mail, phone or tax id, or
with likely-equal names, among those the reader may see; each group links to
the merge screen or is dismissed as "not a duplicate"."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext, lazy_gettext as _l

from core.db import db

from ..models import ContactDuplicateDismissal
from ..services.duplicates.groups import BY_KEY, BY_NAME, PAGE_SIZE, exact_groups, likely_groups
from ..services.duplicates.policy import dismiss
from ..services.merge_contacts import MergeError, load_contacts
from .duplicate_settings_view import TEMPLATES
from .merge_view import VIEW_OF, _ids

BY_LABELS = {"email": _l("Same e-mail"), "phone": _l("Same phone"),
             "tax_id": _l("Same tax ID"), BY_NAME: _l("Similar name")}
KIND_LABELS = {"company": _l("Companies"), "person": _l("People")}


def _choices(kind: str) -> list[str]:
    return [b for b in (*BY_KEY, BY_NAME) if not (b == "tax_id" and kind == "person")]


class DuplicateGroupsView(BaseView):
    route_base = "/contacts/duplicates"
    template_folder = TEMPLATES
    default_view = "groups"
    # names the model whose access rows grant the permissions: Admin and
    # Sales Manager (security/access.csv); record rules narrow the contacts
    datamodel = SQLAInterface(ContactDuplicateDismissal)

    @expose("/", methods=["GET"])
    @has_access
    def groups(self):
        kind = request.args.get("kind", "company")
        by = request.args.get("by", "email")
        if kind not in VIEW_OF or by not in _choices(kind):
            abort(404)
        page = request.args.get("page", "0")
        page = int(page) if page.isdigit() else 0
        found = (likely_groups(db.session, kind, page) if by == BY_NAME
                 else exact_groups(db.session, kind, by, page))
        return self.render_template(
            "contacts/duplicate_groups.html", kind=kind, by=by, page=page, groups=found,
            page_size=PAGE_SIZE, kinds=KIND_LABELS, bys={b: BY_LABELS[b] for b in _choices(kind)},
            show_endpoint=f"{VIEW_OF[kind]}.show")

    @expose("/dismiss", methods=["POST"])
    @has_access
    def dismiss(self):
        kind = request.form.get("kind", "")
        if kind not in VIEW_OF:
            abort(404)
        ids = _ids(request.form.getlist("ids"))
        back = redirect(url_for("DuplicateGroupsView.groups", kind=kind,
                                by=request.form.get("by", "email"),
                                page=request.form.get("page", "0")))
        try:
            if len(ids) < 2:
                raise MergeError("ids", gettext("A group has at least two contacts."))
            load_contacts(db.session, kind, ids)  # only contacts the reader may see
        except MergeError as exc:
            flash(exc.message, "danger")
            return back
        dismiss(db.session, kind, ids)
        db.session.commit()
        flash(gettext("Marked as not duplicates."), "success")
        return back
