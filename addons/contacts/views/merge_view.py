"""The merge screen: pick the surviving contact and, per differing field, whose
value it keeps; POST runs services/merge_contacts.py and shows the survivor."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext

from core.db import db
from core.security.record_rules import AccessDenied

from ..models import Company
from ..services.merge_contacts import (CUSTOM, MergeError, custom_values, load_contacts,
                                       merge, mergeable_fields)
from .contact_view import LABELS
from .duplicate_settings_view import TEMPLATES

VIEW_OF = {"company": "CompanyView", "person": "PersonView"}
SHOWN_AS = {"tier_id": "tier", "owner_id": "owner", "team_id": "team", "company_id": "company"}


def _ids(values) -> list[int]:
    ids = []
    for value in values:
        for part in str(value).split(","):
            if part.strip().isdigit():
                ids.append(int(part))
    return list(dict.fromkeys(ids))


def _shown(contact, field: str) -> str:
    value = getattr(contact, SHOWN_AS.get(field, field))
    return "" if value is None else str(value)


def differing_fields(kind: str, contacts) -> list[dict]:
    """[{field, label, values: [(contact id, shown value)]}] where the contacts differ."""
    rows = []
    for field in mergeable_fields(kind):
        values = [(c.id, _shown(c, field)) for c in contacts]
        if len({v for _, v in values}) > 1:
            rows.append({"field": field, "label": LABELS.get(field.removesuffix("_id"), field),
                         "values": values})
    customs = custom_values(db.session, contacts)
    keys = sorted({k for values in customs.values() for k in values})
    for key in keys:
        values = [(c.id, "" if customs[c.id].get(key) is None else str(customs[c.id][key]))
                  for c in contacts]
        if len({v for _, v in values}) > 1:
            rows.append({"field": CUSTOM + key, "label": key, "values": values})
    return rows


class MergeView(BaseView):
    route_base = "/contacts/merge"
    template_folder = TEMPLATES
    default_view = "choose"
    # names the model whose access rows grant the permissions: merging is
    # writing contacts (people have the same rows in security/access.csv)
    datamodel = SQLAInterface(Company)

    @expose("/<kind>/", methods=["GET"])
    @has_access
    def choose(self, kind):
        if kind not in VIEW_OF:
            abort(404)
        ids = _ids(request.args.getlist("ids"))
        if len(ids) < 2:
            flash(gettext("Pick at least two contacts to merge."), "danger")
            return redirect(url_for(f"{VIEW_OF[kind]}.list"))
        try:
            contacts = load_contacts(db.session, kind, ids)
        except MergeError as exc:
            flash(exc.message, "danger")
            return redirect(url_for(f"{VIEW_OF[kind]}.list"))
        return self.render_template(
            "contacts/merge.html", kind=kind, contacts=contacts,
            rows=differing_fields(kind, contacts), show_endpoint=f"{VIEW_OF[kind]}.show")

    @expose("/<kind>/", methods=["POST"])
    @has_access
    def merge(self, kind):
        if kind not in VIEW_OF:
            abort(404)
        ids = _ids(request.form.getlist("ids"))
        survivor = _ids([request.form.get("survivor", "")])
        back = redirect(url_for("MergeView.choose", kind=kind, ids=",".join(map(str, ids))))
        if not survivor:
            flash(gettext("Pick the contact that remains."), "danger")
            return back
        choices = {name[len("field_"):]: int(value) for name, value in request.form.items()
                   if name.startswith("field_") and value.isdigit()}
        losers = [i for i in ids if i != survivor[0]]
        try:
            kept = merge(db.session, kind, survivor[0], losers, choices)
        except (MergeError, AccessDenied) as exc:
            flash(getattr(exc, "message", str(exc)), "danger")
            return back
        flash(gettext("Merged %(count)d contact(s) into %(name)s.", count=len(losers),
                      name=kept.name), "success")
        return redirect(url_for(f"{VIEW_OF[kind]}.show", pk=kept.id))
