"""Personal preferences: the language switch (POST, CSRF-checked by request_guard)."""
from __future__ import annotations

from flask import abort, redirect, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.utils.base import get_safe_redirect

from ..i18n import languages, set_locale


class PreferencesView(BaseView):
    """Open to every visitor: an anonymous one switches the session's language,
    a logged-in user also stores it for the next logins."""
    route_base = "/preferences"
    default_view = "language"

    @expose("/language", methods=["POST"])
    def language(self):
        locale = request.form.get("locale", "")
        if locale not in languages():
            abort(400, description="Unsupported language.")
        set_locale(locale)
        next_url = request.form.get("next")
        return redirect(get_safe_redirect(next_url) if next_url
                        else self.appbuilder.get_url_for_index)
