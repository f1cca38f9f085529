"""Data and demo files declared in a manifest: rows with external ids, loaded on
install and upgrade, idempotent, all-or-nothing, removed on uninstall."""
from __future__ import annotations

import json
import textwrap

import pytest
from sqlalchemy import select

from core.addons import lifecycle
from core.addons.models import AddonModule, ExternalId
from core.db import db
from core.views.modules import module_rows

pytestmark = pytest.mark.addons("contacts")

TIERS = """\
id,name,sequence,description
tier_gold,Gold,5,Best customers
tier_silver,Silver,6,Good customers
tier_tin,Tin,7,To be removed
"""
DEMO = """\
- model: contacts.Company
  id: demo_company
  name: Demo Trading Co
  tier_id:ref: tier_gold
- model: Company
  id: demo_company_a
  name: A-tier Demo Co
  tier_id:ref: contacts.tier_a
"""


def _write(root, name="tiers_extra", version="1.0.0", tiers=TIERS, demo=DEMO, data=None):
    addon = root / name
    (addon / "data").mkdir(parents=True, exist_ok=True)
    (addon / "demo").mkdir(exist_ok=True)
    (addon / "__init__.py").write_text('"""Adds tiers to contacts from a data file."""\n')
    data = data if data is not None else ["data/Tier.csv"]
    (addon / "__manifest__.py").write_text(repr({
        "name": name, "version": version, "summary": "More tiers", "depends": ["contacts"],
        "author": "Ada Lovelace", "license": "MIT", "website": "https://example.org/tiers",
        "data": data, "demo": ["demo/companies.yaml"]}))
    (addon / "data" / "Tier.csv").write_text(tiers)
    (addon / "demo" / "companies.yaml").write_text(demo)
    return root


def _tiers():
    from addons.contacts.models import Tier

    return {t.name: (t.sequence, t.description) for t in db.session.scalars(select(Tier))}


def _companies():
    from addons.contacts.models import Company

    return {c.name: (c.tier.name if c.tier else None) for c in db.session.scalars(select(Company))}


def _xids(addon="tiers_extra"):
    return sorted(x.name for x in db.session.scalars(
        select(ExternalId).where(ExternalId.addon == addon)))


def _runtime(app):
    return app.extensions["crossdock"].runtime


def test_install_loads_data_rows_with_external_ids_and_no_demo(make_app, tmp_path):
    app = make_app(addons_paths=(_write(tmp_path / "addons"),))
    with app.test_request_context():
        assert lifecycle.install(db.session, _runtime(app), ["tiers_extra"]) == ["tiers_extra"]
        assert _tiers()["Gold"] == (5, "Best customers") and "Tin" in _tiers()
        assert {"A", "B", "C"} <= set(_tiers())  # contacts' own data file
        assert _xids() == ["tier_gold", "tier_silver", "tier_tin"]
        assert _xids("contacts") == ["tier_a", "tier_b", "tier_c"]
        assert "Demo Trading Co" not in _companies()  # demo only when asked
        row = next(r for r in module_rows() if r.name == "tiers_extra")
        assert (row.author, row.license, row.website, row.has_demo) == (
            "Ada Lovelace", "MIT", "https://example.org/tiers", True)


def test_demo_files_load_when_asked_with_references(make_app, tmp_path):
    app = make_app(addons_paths=(_write(tmp_path / "addons"),))
    with app.app_context():
        lifecycle.install(db.session, _runtime(app), ["tiers_extra"], demo=True)
        assert _companies()["Demo Trading Co"] == "Gold"
        assert _companies()["A-tier Demo Co"] == "A"
        demo = db.session.scalars(select(ExternalId).where(ExternalId.demo.is_(True))).all()
        assert sorted(x.name for x in demo) == ["demo_company", "demo_company_a"]


def test_upgrade_updates_adds_and_removes_rows_but_keeps_what_a_user_changed(
        make_app, tmp_path):
    from addons.contacts.models import Tier

    root = _write(tmp_path / "addons")
    app = make_app(addons_paths=(root,))
    with app.app_context():
        lifecycle.install(db.session, _runtime(app), ["tiers_extra"])
        silver = db.session.scalars(select(Tier).where(Tier.name == "Silver")).one()
        silver.description = "Changed by a user"  # now the user's: upgrades leave it
        db.session.commit()

    _write(root, version="1.1.0", tiers=textwrap.dedent("""\
        id,name,sequence,description
        tier_gold,Gold,1,Our best customers
        tier_silver,Silver,2,Overwritten?
        tier_bronze,Bronze,3,New in 1.1
        """))
    new = make_app(addons_paths=(root,))
    with new.app_context():
        assert lifecycle.upgrade(db.session, _runtime(new), ["tiers_extra"]) == ["tiers_extra"]
        tiers = _tiers()
        assert tiers["Gold"] == (1, "Our best customers")  # updated
        assert tiers["Silver"] == (6, "Changed by a user")  # the user's change stays
        assert tiers["Bronze"] == (3, "New in 1.1")  # added
        assert "Tin" not in tiers  # removed from the file: deleted
        assert _xids() == ["tier_bronze", "tier_gold", "tier_silver"]
        # a second upgrade run changes nothing (idempotent)
        assert lifecycle.upgrade(db.session, _runtime(new), ["tiers_extra"]) == ["tiers_extra"]
        assert _tiers() == tiers


@pytest.mark.parametrize("tiers, data, message", [
    ("id,name,sequence\ntier_gold,Gold,5\ntier_bad,Bad,five\n", None,
     "data/Tier.csv, line 3, field sequence: 'five': not a valid int"),
    ("id,name,colour\ntier_gold,Gold,red\n", None,
     "data/Tier.csv, line 2, field colour: not a field of Tier"),
    ("id,name\ntier_gold,Gold\ntier_dup,Gold\n", None,
     "data/Tier.csv, line 3: the database refused the row"),
    ("id,name\ntier_gold,Gold\n", ["data/Tier.csv", "data/Nope.csv"],
     "data/Nope.csv: file not found in the addon"),
    ("id,name\nsales.x,Gold\n", None,
     "data/Tier.csv, line 2, field id: 'sales.x' belongs to addon 'sales'"),
])
def test_a_bad_row_fails_the_install_and_leaves_nothing(make_app, tmp_path, tiers, data,
                                                        message):
    app = make_app(addons_paths=(_write(tmp_path / "addons", tiers=tiers, data=data),))
    with app.app_context():
        before = _tiers()
        with pytest.raises(lifecycle.LifecycleError) as err:
            lifecycle.install(db.session, _runtime(app), ["tiers_extra"])
        assert message in str(err.value) and "addon 'tiers_extra'" in str(err.value)
        assert _tiers() == before and _xids() == []
        assert db.session.get(AddonModule, "tiers_extra") is None


def test_a_bad_demo_reference_names_file_line_and_field(make_app, tmp_path):
    demo = "- model: Company\n  id: c1\n  name: X\n  tier_id:ref: tier_nope\n"
    app = make_app(addons_paths=(_write(tmp_path / "addons", demo=demo),))
    with app.app_context():
        with pytest.raises(lifecycle.LifecycleError,
                           match="demo/companies.yaml, line 1, field tier_id:ref: unknown "
                                 "external id 'tiers_extra.tier_nope'"):
            lifecycle.install(db.session, _runtime(app), ["tiers_extra"], demo=True)


def test_uninstall_deletes_data_rows_in_other_addons_tables_but_keeps_referenced_ones(
        make_app, tmp_path):
    from addons.contacts.models import Company, Tier

    app = make_app(addons_paths=(_write(tmp_path / "addons"),))
    with app.app_context():
        runtime = _runtime(app)
        lifecycle.install(db.session, runtime, ["tiers_extra"])
        gold = db.session.scalars(select(Tier).where(Tier.name == "Gold")).one()
        db.session.add(Company(name="Uses Gold", tier=gold))  # a user's record refers to it
        db.session.commit()
        removed, _ = lifecycle.uninstall(db.session, runtime, ["tiers_extra"],
                                         tmp_path / "backups")
        assert removed == ["tiers_extra"]
        assert {"Silver", "Tin"}.isdisjoint(_tiers()) and "Gold" in _tiers()  # referred to
        assert _companies()["Uses Gold"] == "Gold"
        assert _xids() == [] and {"A", "B", "C"} <= set(_tiers())
        event = db.session.execute(select(AddonModule).where(
            AddonModule.name == "tiers_extra")).scalar_one()
        assert event.state == "uninstalled"


def test_a_row_matching_an_unclaimed_unique_value_is_adopted_not_duplicated(
        make_app, tmp_path):
    from addons.contacts.models import Tier

    app = make_app(addons_paths=(_write(tmp_path / "addons"),))
    with app.app_context():
        db.session.add(Tier(name="Gold", sequence=99, description="typed by an admin"))
        db.session.commit()
        lifecycle.install(db.session, _runtime(app), ["tiers_extra"])
        assert _tiers()["Gold"] == (99, "typed by an admin")  # adopted as the admin left it
        xid = db.session.scalars(select(ExternalId).where(ExternalId.name == "tier_gold")).one()
        assert xid.adopted and json.loads(xid.loaded_values)["sequence"] == 5
        lifecycle.uninstall(db.session, _runtime(app), ["tiers_extra"], tmp_path / "b")
        assert "Gold" in _tiers()  # an adopted row is never deleted by us


def test_cli_install_demo_flag(tmp_path, database_url):
    import os
    import subprocess

    from sqlalchemy import create_engine, text

    from tests.helpers import CROSSDOCK

    root = _write(tmp_path / "addons")
    env = {**os.environ, "CROSSDOCK_INSTANCE_PATH": str(tmp_path / "instance"),
           "CROSSDOCK_DATABASE_URL": database_url, "CROSSDOCK_ADDONS_PATH": str(root)}
    done = subprocess.run([CROSSDOCK, "addons", "install", "tiers_extra", "--demo"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    engine = create_engine(database_url)
    with engine.connect() as conn:
        names = set(conn.scalars(text("SELECT name FROM contacts_company")))
    engine.dispose()
    assert {"Demo Trading Co", "A-tier Demo Co"} <= names


def test_modules_screen_shows_author_license_and_installs_with_demo(make_app, tmp_path):
    from tests.helpers import add_user, csrf_token, login

    app = make_app(addons_paths=(_write(tmp_path / "addons"),))
    add_user(app, "boss", ["Admin"])
    client = app.test_client()
    login(client, "boss")
    page = client.get("/modules/").get_data(as_text=True)
    row = page[page.index('id="module-tiers_extra"'):]
    row = row[:row.index("</tr>")]
    assert "Ada Lovelace" in row and "MIT" in row and 'href="https://example.org/tiers"' in row
    assert 'name="demo"' in row  # the addon has demo files: the install offers them
    answer = client.post("/modules/install/tiers_extra",
                         data={"csrf_token": csrf_token(page), "demo": "1"})
    assert answer.status_code == 302
    with app.app_context():
        assert _companies()["Demo Trading Co"] == "Gold"


def test_upgrade_keeps_a_removed_row_that_a_users_record_refers_to(make_app, tmp_path):
    from addons.contacts.models import Company, Tier

    root = _write(tmp_path / "addons")
    app = make_app(addons_paths=(root,))
    with app.app_context():
        lifecycle.install(db.session, _runtime(app), ["tiers_extra"])
        tin = db.session.scalars(select(Tier).where(Tier.name == "Tin")).one()
        db.session.add(Company(name="Tin Trading", tier=tin))
        db.session.commit()
    _write(root, version="1.1.0", tiers=TIERS.replace("tier_tin,Tin,7,To be removed\n", ""))
    new = make_app(addons_paths=(root,))
    with new.app_context():
        lifecycle.upgrade(db.session, _runtime(new), ["tiers_extra"])
        assert "Tin" in _tiers() and _companies()["Tin Trading"] == "Tin"
        assert _xids() == ["tier_gold", "tier_silver"]  # no longer the addon's row
