"""Crossdock's own static files (vendored JavaScript libraries), served by the app.

Everything a page loads comes from this server: nothing from a CDN, so the
screens work on an intranet without internet access. Files live in
core/static/ and are served under /static/crossdock/; templates link them with
``url_for('crossdock_static.static', filename='vendor/...')``.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
URL_PREFIX = "/static/crossdock"

blueprint = Blueprint("crossdock_static", __name__, static_folder=str(STATIC_DIR),
                      static_url_path="", url_prefix=URL_PREFIX)


def register_static_assets(app: Flask) -> None:
    if blueprint.name not in app.blueprints:
        app.register_blueprint(blueprint)
