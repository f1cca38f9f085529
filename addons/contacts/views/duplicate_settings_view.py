"""Admins choose what an exact duplicate does on save: warn (confirm to save) or block."""
from __future__ import annotations

from pathlib import Path

from flask import flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext

from core.db import db

from ..models import ContactDuplicateSetting
from ..rules.field_error import ContactFieldError
from ..services.duplicates.policy import POLICIES, current_policy, set_policy

TEMPLATES = str(Path(__file__).resolve().parent.parent / "templates")


class DuplicateSettingsView(BaseView):
    route_base = "/contacts/duplicates/settings"
    template_folder = TEMPLATES
    default_view = "show"
    # serves no screen of its own: names the model whose access rows grant
    # the permissions (security/access.csv: nobody but Admin)
    datamodel = SQLAInterface(ContactDuplicateSetting)

    @expose("/", methods=["GET"])
    @has_access
    def show(self):
        return self.render_template("contacts/duplicate_settings.html",
                                    policy=current_policy(db.session), policies=POLICIES)

    @expose("/", methods=["POST"])
    @has_access
    def save(self):
        try:
            set_policy(db.session, request.form.get("policy", ""))
        except ContactFieldError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(gettext("Duplicate policy saved."), "success")
        return redirect(url_for("DuplicateSettingsView.show"))
