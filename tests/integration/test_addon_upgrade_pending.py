"""An addon whose new code waits for `addons upgrade` is gated: its pages answer
404 (admins are told the upgrade is pending and the command to run), never a
500 from columns the database does not have yet."""
from __future__ import annotations

import textwrap

from core.addons import lifecycle
from core.db import db
from tests.helpers import add_user, login


def _write(root, version):
    addon = root / "pending_pages"
    addon.mkdir(parents=True, exist_ok=True)
    (addon / "__manifest__.py").write_text(
        f'{{"name": "pending_pages", "version": "{version}", "summary": "Gate test"}}\n')
    (addon / "__init__.py").write_text(textwrap.dedent('''
        """A page that would need the new schema."""
        from flask_appbuilder import BaseView, expose


        class PendingPage(BaseView):
            route_base = "/pending-pages"

            @expose("/")
            def index(self):
                return "the page"


        def register(addon):
            addon.view_no_menu(PendingPage)
    '''))
    return root


def test_to_upgrade_answers_404_and_tells_admins_until_upgraded(make_app, tmp_path):
    root = _write(tmp_path / "addons", "1.0.0")
    app = make_app(addons_paths=(root,))
    with app.app_context():
        lifecycle.install(db.session, app.extensions["crossdock"].runtime, ["pending_pages"])
    assert app.test_client().get("/pending-pages/").status_code == 200

    _write(root, "1.1.0")  # new code deployed, database not upgraded yet
    new = make_app(addons_paths=(root,))
    add_user(new, "boss", ["Admin"])
    add_user(new, "seller", ["Salesperson"])
    anonymous = new.test_client().get("/pending-pages/")
    assert anonymous.status_code == 404 and "upgrade pending" not in anonymous.text

    seller = new.test_client()
    login(seller, "seller")
    answer = seller.get("/pending-pages/")
    assert answer.status_code == 404 and "upgrade pending" not in answer.text

    admin = new.test_client()
    login(admin, "boss")
    answer = admin.get("/pending-pages/")
    assert answer.status_code == 404
    assert "upgrade pending" in answer.text
    assert "crossdock addons upgrade pending_pages" in answer.text

    with new.app_context():
        runtime = new.extensions["crossdock"].runtime
        assert runtime.gate.upgrade_pending("pending_pages")
        assert lifecycle.upgrade(db.session, runtime, ["pending_pages"]) == ["pending_pages"]
    assert admin.get("/pending-pages/").text == "the page"
