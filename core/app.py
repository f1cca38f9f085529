"""The application factory: `create_app()` builds a Crossdock host.

Order matters and is spelled out here: settings, database (migrated to the
platform head), addon import, FAB, mounting, core screens, request guards,
then permissions reconciled with what is installed.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alembic.util import CommandError
from flask import Flask, jsonify, request
from flask import session as http_session  # create_app has a local `session`
from flask.sessions import SecureCookieSessionInterface
from flask_appbuilder import AppBuilder
from sqlalchemy.orm import Session

from . import api, error_pages, extensions, i18n, migrate
from .addons.discovery import discover, migration_dirs
from .addons import scripts
from .addons.gate import AddonGate
from .addons.loader import load_all, mount
from .addons.runtime import AddonRuntime
from .config import Settings
from .db import db, make_sqlite_transactional
from .backup.figures import BackupCollector
from .serving import metrics_endpoint, probes, request_observer
from .security import password_turns, secrets, security_headers, session_version
from .security.access import ensure_roles, sync_role_permissions
from .security.login_guard import CrossdockSecurityManager, guard_login
from .security.password_policy import fab_validator
from .security.record_rules import AccessDenied, refusal_in_request
from .security.request_guard import guard_request, init_csrf
from .security.view_permissions import ensure_view_permissions
from .views import date_inputs, local_datetime, menu_cache, relation_choices

log = logging.getLogger(__name__)
CORE_DIR = Path(__file__).resolve().parent
LANGUAGES = {"en": {"flag": "gb", "name": "English"},
             "zh": {"flag": "cn", "name": "简体中文"}}


@dataclass
class CrossdockExtension:
    settings: Settings
    runtime: AddonRuntime
    appbuilder: AppBuilder


class _SessionInterface(SecureCookieSessionInterface):
    """Session cookie marked Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app):
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def _flask_config(settings: Settings) -> dict:
    return {
        "SECRET_KEY": settings.secret_key,
        "SQLALCHEMY_DATABASE_URI": settings.database_url,
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "APP_NAME": "Crossdock",
        "FAB_INDEX_VIEW": "core.views.home.HomeView",  # the start page's tiles
        "AUTH_TYPE": 1,  # AUTH_DB
        "AUTH_USERNAME_CI": True,  # FAB finds users ignoring case; see security/usernames.py
        "FAB_CREATE_DB": False,  # the platform migration owns every table
        "FAB_ADD_SECURITY_API": False,  # role/user CRUD over REST: not offered
        "FAB_ADD_MENU_API": False,  # /api/v1/menu/: for a JS front end we do not have
        "FAB_ADD_OPENAPI_VIEWS": False,  # ours: core/api/openapi_view.py
        "FAB_API_SWAGGER_UI": True,
        "FAB_UPDATE_PERMS": False,
        "FAB_PASSWORD_COMPLEXITY_ENABLED": True,  # FAB's user forms: security/password_policy.py
        "FAB_PASSWORD_COMPLEXITY_VALIDATOR": fab_validator,  # ensure_view_permissions, once every view is added
        "AUTH_ROLE_ADMIN": "Admin",
        "AUTH_ROLE_PUBLIC": "Public",
        "LANGUAGES": LANGUAGES,
        "BABEL_DEFAULT_LOCALE": settings.default_locale,
        "BABEL_DEFAULT_TIMEZONE": settings.time_zone,
        "WTF_CSRF_CHECK_DEFAULT": False,  # request_guard decides, see there
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": settings.session_cookie_secure,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "FAB_PASSWORD_HASH_METHOD": settings.password_hash,
    }


def _as_people_read_it(value):
    """Jinja's finalize: what a page prints for a value."""
    if value is None:
        return ""  # an empty value prints nothing, never "None"
    if isinstance(value, datetime):
        return i18n.shown_datetime(value)  # stored UTC, shown in the user's time zone
    if isinstance(value, bool):
        return i18n.shown_bool(value)  # "是"/"否", never Python's True/False
    return value


def create_app(settings: Settings | None = None, **overrides) -> Flask:
    """Build the app. `overrides` are Settings fields (tests pass database_url...)."""
    settings = settings or Settings.from_env(**overrides)
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    app = Flask("crossdock", instance_path=str(settings.instance_path),
                template_folder=str(CORE_DIR / "templates"))
    app.config.update(_flask_config(settings))
    app.jinja_env.finalize = _as_people_read_it
    app.session_interface = _SessionInterface()
    request_observer.init_app(app)  # first: its after_request sees the final response
    secrets.configure(settings.secrets_keys, settings.secret_key)
    db.init_app(app)
    init_csrf(app)

    with app.app_context():
        make_sqlite_transactional(db.engine)
        sources = discover(settings.addons_paths)
        with db.engine.begin() as conn:
            # an installed addon whose code is gone must not stop the host
            kept_scripts = scripts.restore(conn, settings.instance_path / "addon_scripts",
                                           sources, migration_dirs(sources))
            dirs = migration_dirs(sources) + list(kept_scripts.values())
            try:
                migrate.upgrade(conn, migrate.PLATFORM, dirs)
            except CommandError:
                newer = scripts.unknown_heads(conn, dirs)
                if not newer:
                    raise
                # a newer release's expand migrations ran (a rolling upgrade):
                # this release still serves on them, and migrates nothing
                log.warning("the database is newer than this code (revisions %s): not "
                            "migrating it; this release serves until it is replaced",
                            ", ".join(newer))
            with Session(bind=conn) as session:
                ensure_roles(session)
                session.flush()

        loaded, broken = load_all(sources)
        i18n_dirs = [str(CORE_DIR / "translations")] + [
            str(la.source.path / "i18n") for la, _ in loaded
            if (la.source.path / "i18n").is_dir()]
        app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(i18n_dirs)

        local_datetime.install()  # before any view builds its forms
        date_inputs.install()
        relation_choices.install()
        appbuilder = AppBuilder(security_manager_class=CrossdockSecurityManager,
                                base_template="crossdock/base.html")
        appbuilder.init_app(app, db.session)
        i18n.init_app(app, appbuilder)
        menu_cache.install(app)

        gate = AddonGate(db.engine, settings.addon_poll_seconds,
                         {la.name: la.manifest.version for la, _ in loaded})
        for la, registrar in loaded:
            mount(appbuilder, la, registrar,
                  menu_cond=lambda name=la.name: gate.is_active(name))
            for bp in la.blueprints:
                gate.blueprint_owner[bp] = la.name
        runtime = AddonRuntime(settings.addons_paths, sources,
                               {la.name: la for la, _ in loaded}, broken, gate,
                               set(sources), kept_scripts)
        app.extensions["crossdock"] = CrossdockExtension(settings, runtime, appbuilder)
        probes.init_app(app, db.engine, runtime.addon_dirs,
                        {la.name: la.manifest.version for la, _ in loaded})
        metrics_endpoint.init_app(app)  # before the extensions add their collectors
        metrics_endpoint.add_collector(app, BackupCollector(db.engine))

        from .views import register_core_views
        from .views.literal_like_filters import use_literal_like_filters
        from .api.openapi_view import register_openapi_views
        register_core_views(appbuilder)
        register_openapi_views(appbuilder)
        extensions.init_app(app, appbuilder)
        use_literal_like_filters(appbuilder)  # %, _ typed in filters match themselves

        ensure_view_permissions(appbuilder, db.session)
        gate.refresh(force=True)
        sync_role_permissions(db.session, runtime.loaded.values(), gate.enabled())
        db.session.commit()

    api.init_app(app)  # JSON errors under /api/, JWT problems as 401, body size limit
    error_pages.init_app(app)  # pages' errors in the layout; a crash's request id
    session_version.init_app(app)  # logout, new password, deactivation end sessions
    password_turns.install(app, settings.instance_path)  # logins do not take every core
    app.before_request(gate.before_request)
    app.before_request(guard_request)
    app.before_request(guard_login)
    security_headers.init_app(app)  # on every response, whichever hook made it

    @app.errorhandler(AccessDenied)
    def _denied(exc):
        db.session.rollback()
        http_session.pop("_flashes", None)  # FAB's generic "database error", if it flashed one
        if request.path.startswith("/api/"):
            return jsonify(message=str(exc)), 403
        return error_pages.error_page(403, str(exc))

    @app.after_request
    def _refused_write_is_403(response):
        # FAB's CRUD views and REST API swallow the refusal (a flash and a
        # redirect, or a 500): whatever they answered, a refused write is a 403
        exc = refusal_in_request()
        if exc is None or response.status_code == 403:
            return response
        return app.make_response(_denied(exc))

    return app
