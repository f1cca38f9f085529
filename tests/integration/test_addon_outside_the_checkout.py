"""Issue 19's promise end to end, as a third-party developer keeps an addon
outside the checkout: `crossdock addons new` scaffolds it; the developer adds
a field and a panel to contacts' Company and a column to sales' opportunities
list (model and screen extension), data rows in the manifest, an expression
record rule; install; then the code is removed before uninstalling and the
host still starts, and the uninstall still drops what the addon added.

SQLite only (the lifecycle is the same on PostgreSQL; each mechanism has its
own tests on both)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, inspect

from core.app import create_app
from core.db import db
from tests.conftest import test_settings as settings_for
from tests.helpers import add_user, login
from tests.live_server import REPO, crossdock_command

NAME = "field_visits"
EXTENSION = '''
from sqlalchemy import Column, Date, Integer

from addons.contacts.models import Company
from addons.contacts.views.company_view import CompanyView
from addons.sales.models import Lead
from addons.sales.views.lead_view import OpportunityView
from core.views.screen_slots import Fieldset, ListColumn, Panel


def _visits_panel(_view, company) -> dict:
    return {"count": company.fv_visit_count or 0}


def register_extensions(addon):
    addon.extend(Company, fv_visit_count=Column(Integer), labels={"fv_visit_count": "Visits"})
    addon.extend(Lead, fv_last_visit=Column(Date), labels={"fv_last_visit": "Last visit"})
    addon.extend_screen(CompanyView, Fieldset("Visits", ["fv_visit_count"], order=10),
                        Panel("field_visits/company_panel.html", context=_visits_panel))
    addon.extend_screen(OpportunityView, ListColumn("fv_last_visit", label="Last visit"))
'''
RULES = '''from sqlalchemy import or_

from ..models.field_visit import FieldVisit
from core.security.rule_expressions import RecordRule

# a salesperson reads their own visits and the shared ones (names "Shared ..."),
# and changes their own only
RULES = [RecordRule(FieldVisit, "Salesperson",
                    read=lambda actor: or_(FieldVisit.owner_id == actor.user_id,
                                           FieldVisit.name.like("Shared%")),
                    write="own")]
'''
MIGRATION = '''"""field visits: the columns it adds to contacts' companies and sales' leads"""
from alembic import op
import sqlalchemy as sa

revision = '0002_field_visits_extensions'
down_revision = '0001_field_visits'
branch_labels = None
depends_on = {sales_head!r}


def upgrade() -> None:
    op.add_column('contacts_company', sa.Column('fv_visit_count', sa.Integer(), nullable=True))
    op.add_column('sales_lead', sa.Column('fv_last_visit', sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column('sales_lead', 'fv_last_visit')
    op.drop_column('contacts_company', 'fv_visit_count')
'''


def _sales_head() -> str:
    last = sorted((REPO / "addons" / "sales" / "migrations").glob("0*.py"))[-1]
    return next(line.split("=", 1)[1].strip().strip("'\"")
                for line in last.read_text().splitlines() if line.startswith("revision"))


def _columns(url: str, table: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {c["name"] for c in inspect(conn).get_columns(table)}
    finally:
        engine.dispose()


def _write_the_addon(folder: Path) -> None:
    init = folder / "__init__.py"
    init.write_text(init.read_text() + EXTENSION + "\n\nregister_scaffold = register\n\n\n"
                    "def register(addon):\n    register_scaffold(addon)\n"
                    "    register_extensions(addon)\n")
    (folder / "templates" / NAME).mkdir(parents=True)
    (folder / "templates" / NAME / "company_panel.html").write_text(
        '<div class="panel panel-default" id="field-visits-panel">'
        '<div class="panel-body">Field visits: {{ count }}</div></div>\n')
    (folder / "migrations" / "0002_field_visits_extensions.py").write_text(
        MIGRATION.replace("{sales_head!r}", repr(_sales_head())))
    (folder / "data").mkdir()
    (folder / "data" / "FieldVisit.csv").write_text(
        "id,name,notes\nshared_plant_tour,Shared plant tour,Open to every salesperson\n",
        encoding="utf-8")
    (folder / "security" / "record_rules.py").write_text(RULES)
    rules_csv = folder / "security" / "record_rules.csv"
    rules_csv.write_text("".join(line for line in rules_csv.read_text().splitlines(True)
                                 if ",Salesperson," not in line))
    manifest = folder / "__manifest__.py"
    text = manifest.read_text()
    manifest.write_text(text.replace('"depends":', '"data": ["data/FieldVisit.csv"],\n    "depends":', 1))


def test_an_addon_outside_the_checkout_extends_contacts_and_sales(tmp_path, sqlite_templates):
    """Run in a fresh interpreter: loading the addon maps its model and its
    extension columns into this process's models, which the tests that follow
    in the same worker must not see."""
    database = tmp_path / "crossdock.sqlite"
    shutil.copyfile(sqlite_templates.get(()), database)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, __file__, str(tmp_path)], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    assert done.stdout.strip().endswith("all checks passed")


def _flow(tmp_path: Path) -> None:
    ext, instance = tmp_path / "ext", tmp_path / "instance"
    database = tmp_path / "crossdock.sqlite"
    url = f"sqlite:///{database}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROSSDOCK_")}
    env.update(CROSSDOCK_INSTANCE_PATH=str(instance), CROSSDOCK_DATABASE_URL=url,
               CROSSDOCK_ADDONS_PATH=str(ext), CROSSDOCK_PASSWORD_HASH="pbkdf2:sha256:1000")

    def crossdock(*args):
        done = subprocess.run([*crossdock_command(), *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=240)
        assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
        return done.stdout

    crossdock("addons", "new", NAME, "--path", str(ext), "--depends", "sales")
    _write_the_addon(ext / NAME)
    assert "installed: contacts, sales, field_visits" in crossdock("addons", "install", NAME)
    assert "fv_visit_count" in _columns(url, "contacts_company")
    assert "fv_last_visit" in _columns(url, "sales_lead")

    app = create_app(settings_for(instance, url, addons_paths=(ext,)))
    app.config["TESTING"] = True
    seller = add_user(app, "seller", ["Salesperson"], "North")
    other_seller = add_user(app, "other", ["Salesperson"], "North")
    with app.app_context():
        from addons.contacts.models import Company
        from addons.sales.models import Lead

        models = app.extensions["crossdock"].runtime.loaded[NAME].models
        visit = models["FieldVisit"]
        assert [v.name for v in db.session.query(visit)] == ["Shared plant tour"]  # data file
        db.session.add(visit(name="Private call", owner_id=other_seller))
        acme = Company(name="Acme", owner_id=seller, fv_visit_count=3)
        db.session.add(acme)
        db.session.flush()
        db.session.add(Lead(name="Pumps", type="opportunity", owner_id=seller,
                            company_id=acme.id))
        db.session.commit()
        company_id = acme.id

    client = app.test_client()
    login(client, "seller")
    form = client.get(f"/companyview/edit/{company_id}").get_data(as_text=True)
    assert 'name="fv_visit_count"' in form
    page = client.get(f"/companyview/show/{company_id}").get_data(as_text=True)
    assert 'id="field-visits-panel"' in page and "Field visits: 3" in page
    assert "Last visit" in client.get("/opportunityview/list/").get_data(as_text=True)
    visits = client.get("/fieldvisitview/list/").get_data(as_text=True)
    assert "Shared plant tour" in visits and "Private call" not in visits  # the expression rule

    # the code goes away before the uninstall: the host and the CLI still start
    shutil.rmtree(ext / NAME)
    assert "missing" in crossdock("addons", "list")
    again = create_app(settings_for(instance, url, addons_paths=(ext,)))
    again.config["TESTING"] = True
    other = again.test_client()
    login(other, "seller")
    assert other.get(f"/companyview/show/{company_id}").status_code == 200
    crossdock("addons", "uninstall", NAME, "--yes")
    assert "fv_visit_count" not in _columns(url, "contacts_company")
    assert "fv_last_visit" not in _columns(url, "sales_lead")
    print("all checks passed")


if __name__ == "__main__":
    _flow(Path(sys.argv[1]))
