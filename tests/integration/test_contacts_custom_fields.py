"""Custom fields end to end: an admin defines fields on companies and people;
they appear in forms, show pages, lists, filters and the REST API; bad values
are field errors with nothing saved; removal is confirmed and audited; record
rules cover the values on every path."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.db import db
from tests.helpers import add_user, install

FIELDS = [  # key, type, extra
    ("segment", "text", {}),
    ("employees", "number", {}),
    ("since", "date", {}),
    ("size", "choice", {"choices": "Small\nMedium\nLarge"}),
    ("vip", "boolean", {}),
    ("manager", "user", {}),
]


@pytest.fixture
def contacts_app(app):
    install(app, "contacts")
    app.admin_id = add_user(app, "ada", ["Admin"])
    app.sam_id = add_user(app, "sam", ["Salesperson"], "A")
    app.sue_id = add_user(app, "sue", ["Salesperson"], "A")
    return app


def define(app, kind="company", **overrides):
    """Fields of every type, as the admin screen stores them."""
    with app.app_context():
        from addons.contacts.models import CustomField

        for n, (key, field_type, extra) in enumerate(FIELDS):
            values = dict(applies_to=kind, key=key, label=key.title(), field_type=field_type,
                          sequence=n, show_in_list=key in ("segment", "vip"), **extra)
            values.update(overrides.get(key, {}))
            db.session.add(CustomField(**values))
        db.session.commit()


def custom_value_count(app) -> int:
    with app.app_context():
        from addons.contacts.models import CustomValue

        return db.session.scalar(select(func.count()).select_from(CustomValue))


def test_service_stores_reads_and_removes_values(contacts_app):
    app = contacts_app
    define(app)
    with app.app_context():
        from addons.contacts.models import Company
        from addons.contacts.services.custom_fields import (fields_for, set_values, values_for,
                                                            values_of)

        assert [f.key for f in fields_for(db.session, "company")] == [k for k, _, _ in FIELDS]
        assert fields_for(db.session, "person") == []
        acme = Company(name="Acme")
        db.session.add(acme)
        set_values(db.session, acme, {"segment": " Retail ", "employees": "1.234,5",
                                      "since": "2026年11月23日", "size": "large", "vip": "是",
                                      "manager": "sam@example.com"})
        db.session.commit()
        expected = {"segment": "Retail", "employees": Decimal("1234.5"),
                    "since": dt.date(2026, 11, 23), "size": "Large", "vip": True,
                    "manager": "sam"}
        assert values_of(db.session, acme) == expected
        other = Company(name="Other")
        db.session.add(other)
        db.session.commit()
        assert values_for(db.session, "company", [acme.id, other.id]) == {acme.id: expected}
        set_values(db.session, acme, {"segment": None, "vip": "", "employees": 12})
        db.session.commit()
        assert values_of(db.session, acme) == {"employees": Decimal("12"),
                                               "since": dt.date(2026, 11, 23),
                                               "size": "Large", "manager": "sam"}
        acme_id = acme.id
    assert custom_value_count(app) == 4
    with app.app_context():
        from addons.contacts.models import Company

        db.session.delete(db.session.get(Company, acme_id))
        db.session.commit()
    assert custom_value_count(app) == 0  # the database cascades


def test_service_refuses_bad_and_missing_values(contacts_app):
    app = contacts_app
    define(app, segment={"required": True})
    with app.app_context():
        from addons.contacts.models import Company
        from addons.contacts.services.custom_fields import set_values
        from addons.contacts.services.field_error import ContactFieldError

        acme = Company(name="Acme")
        db.session.add(acme)
        for values, key in [({"employees": "12"}, "segment"),
                            ({"segment": "x", "employees": "twelve"}, "employees"),
                            ({"segment": "x", "size": "Huge"}, "size"),
                            ({"segment": "x", "manager": "nobody"}, "manager"),
                            ({"segment": "x", "colour": "red"}, "colour")]:
            with pytest.raises(ContactFieldError) as err:
                set_values(db.session, acme, values)
            assert err.value.field == key
        db.session.rollback()
    assert custom_value_count(app) == 0
