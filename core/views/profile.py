"""Every user's own profile: who they are (roles, teams), their language, and
their password (the current one required, the password rule applied, their
other sessions ended). Admins manage other users in FAB's user screens."""
from __future__ import annotations

from flask import current_app, flash, redirect, request, session as http_session, url_for
from flask_appbuilder import BaseView, expose
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.security import check_password_hash

from ..db import db
from ..i18n import (current_locale, languages, select_time_zone, set_locale, set_time_zone,
                    time_zones)
from ..security.access import ROLE_LABELS
from ..security.password_policy import password_problem
from ..security.session_version import SESSION_KEY, current_version
from ..security.teams import Team, team_member


class ProfileView(BaseView):
    """Open to every logged-in user, on their own account only."""
    route_base = "/profile"
    default_view = "show"

    def _me(self):
        return self.appbuilder.sm.get_user_by_id(current_user.id)

    @expose("/")
    def show(self):
        if not current_user.is_authenticated:
            return redirect(self.appbuilder.get_url_for_login_with(request.path))
        me = self._me()
        teams = db.session.scalars(
            select(Team.name).join(team_member, team_member.c.team_id == Team.id)
            .where(team_member.c.user_id == me.id).order_by(Team.name)).all()
        roles = sorted(str(ROLE_LABELS.get(r.name, r.name)) for r in me.roles)
        return self.render_template("crossdock/profile.html", me=me, teams=teams, roles=roles,
                                    languages=languages(), locale=current_locale(),
                                    time_zones=time_zones(), time_zone=select_time_zone(),
                                    default_zone=current_app.config["BABEL_DEFAULT_TIMEZONE"])

    @expose("/language", methods=["POST"])
    def language(self):
        if not current_user.is_authenticated:
            return redirect(self.appbuilder.get_url_for_login)
        locale = request.form.get("locale", "")
        if locale not in languages():
            flash(_("Choose one of the languages offered."), "danger")
        else:
            set_locale(locale)
            flash(_("Language saved."), "success")
        return redirect(url_for(".show"))

    @expose("/time_zone", methods=["POST"])
    def time_zone(self):
        if not current_user.is_authenticated:
            return redirect(self.appbuilder.get_url_for_login)
        zone = request.form.get("time_zone", "")
        if zone not in time_zones():
            flash(_("Choose one of the time zones offered."), "danger")
        else:
            set_time_zone(zone)
            flash(_("Time zone saved."), "success")
        return redirect(url_for(".show"))

    @expose("/password", methods=["POST"])
    def password(self):
        if not current_user.is_authenticated:
            return redirect(self.appbuilder.get_url_for_login)
        me = self._me()
        current = request.form.get("current_password", "")
        new, again = request.form.get("password", ""), request.form.get("conf_password", "")
        if not check_password_hash(me.password or "", current):
            problem = _("The current password is not right.")
        elif new != again:
            problem = _("The two new passwords differ.")
        elif new == current:
            problem = _("The new password is the same as the current one.")
        else:
            problem = password_problem(new, me.username)
        if problem:
            flash(problem, "danger")
            return redirect(url_for(".show"))
        self.appbuilder.sm.reset_password(me.id, new)  # commits; the other sessions end
        # ...except this one: it carries the new version
        http_session[SESSION_KEY] = current_version(db.session.connection(), me.id)
        db.session.commit()
        flash(_("Password changed. Your other sessions have been logged out."), "success")
        return redirect(url_for(".show"))
