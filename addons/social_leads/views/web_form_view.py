"""Web forms (Sales > Web forms): define a form and copy the snippet that
embeds it; the consents given on them (read only).

The snippet is an <iframe> of our page, not a <form> posting to us: the page
is served fresh each time, so it carries a freshly signed token (a static
<form> pasted in a site would need a token that never expires), its own
honeypot, consent text and language, and no script or style of ours runs in
the customer's site. Its few lines of inline script pass the host page's
address and UTM parameters to the frame (no external assets)."""
from __future__ import annotations

from flask import url_for
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField

from core.views.record_view import RecordView

from ..models import Consent, WebForm
from ..models.web_form import FIELDS

FIELD_LABELS = {"name": _l("Name"), "company": _l("Company"), "email": _l("E-mail"),
                "phone": _l("Phone"), "message": _l("Message")}
SWITCHES = [f"{kind}_{field}" for field in FIELDS for kind in ("show", "need")]
SNIPPET = """<div id="crossdock-form-{id}"></div>
<script>(function () {{
  var q = new URLSearchParams(location.search), p = new URLSearchParams();
  q.forEach(function (v, k) {{ if (k.indexOf("utm_") === 0) p.set(k, v); }});
  p.set("page", location.href.split("#")[0]);
  var f = document.createElement("iframe");
  f.src = "{url}?" + p.toString();
  f.title = "{title}"; f.style.cssText = "border:0;width:100%;min-height:560px";
  document.getElementById("crossdock-form-{id}").appendChild(f);
}})();</script>
<noscript><iframe src="{url}" title="{title}" style="border:0;width:100%;min-height:560px"></iframe></noscript>"""


def snippet_of(form: WebForm) -> str:
    url = url_for("WebFormPage.page", form_id=form.id, _external=True)
    title = form.name.replace('"', "'").replace("<", "").replace("\\", "")
    return SNIPPET.format(id=form.id, url=url, title=title)


def web_form_snippet(view, form) -> dict:
    return {"snippet": snippet_of(form),
            "url": url_for("WebFormPage.page", form_id=form.id, _external=True)}


def _switch(label, default):
    # FAB makes a NOT NULL boolean "required", so an unticked box would not save
    return BooleanField(label, default=default)


class WebFormView(RecordView):
    datamodel = SQLAInterface(WebForm)
    list_title, show_title = _l("Web forms"), _l("Web form")
    add_title, edit_title = _l("Add web form"), _l("Edit web form")
    label_columns = {"name": _l("Name"), "active": _l("Active"), "campaign": _l("Campaign"),
                     "consent_zh": _l("Consent text (Chinese)"),
                     "consent_en": _l("Consent text (English)"),
                     "thanks_zh": _l("Thank-you text (Chinese)"),
                     "thanks_en": _l("Thank-you text (English)"), "created_at": _l("Created"),
                     **{f"show_{f}": _l("Show %(field)s", field=FIELD_LABELS[f]) for f in FIELDS},
                     **{f"need_{f}": _l("Require %(field)s", field=FIELD_LABELS[f])
                        for f in FIELDS}}
    description_columns = {"consent_zh": _l("Empty in both languages: the form asks no "
                                            "consent.")}
    list_columns = ["name", "campaign", "active", "created_at"]
    add_columns = edit_columns = ["name", "campaign", "active", *SWITCHES, "consent_zh",
                                  "consent_en", "thanks_zh", "thanks_en"]
    show_columns = ["name", "campaign", "active", *SWITCHES, "consent_zh", "consent_en",
                    "thanks_zh", "thanks_en", "created_at"]

    def __init__(self, *args, **kwargs):
        defaults = {"active": True, "show_name": True, "need_name": True, "show_company": True,
                    "show_email": True, "show_phone": True, "show_message": True}
        fields = {name: _switch(self.label_columns[name], defaults.get(name, False))
                  for name in ["active", *SWITCHES]}
        self.add_form_extra_fields = dict(fields)
        self.edit_form_extra_fields = dict(fields)
        super().__init__(*args, **kwargs)


class ConsentView(RecordView):
    datamodel = SQLAInterface(Consent)
    list_title, show_title = _l("Consents"), _l("Consent")
    base_permissions = ["can_list", "can_show"]
    label_columns = {"form": _l("Form"), "submission_id": _l("Submission"),
                     "text": _l("Text shown"), "language": _l("Language"),
                     "given_at": _l("Given at (UTC)"), "address": _l("Address"),
                     "email": _l("E-mail"), "phone": _l("Phone")}
    list_columns = ["given_at", "form", "email", "phone", "language", "address"]
    show_columns = ["given_at", "form", "email", "phone", "language", "address", "text",
                    "submission_id"]
    search_columns = ["form", "email", "phone", "given_at"]
    base_order = ("given_at", "desc")
