"""Custom field values as typed in a form or an import cell: parsed per field type,
or refused with an error naming the field."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from addons.contacts.models.custom_field import CustomField
from addons.contacts.rules.field_error import ContactFieldError
from addons.contacts.services.custom_fields.values import parse_value, plain_number


def field(field_type: str, **kw) -> CustomField:
    return CustomField(applies_to="company", key=f"my_{field_type}", label=field_type.title(),
                       field_type=field_type, **kw)


@pytest.mark.parametrize("typed, value", [
    ("  Shanghai office ", "Shanghai office"),
    ("上海办公室", "上海办公室"),
    (42, "42"),
])
def test_text(typed, value):
    assert parse_value(field("text"), typed) == value


@pytest.mark.parametrize("typed, value", [
    ("12", Decimal("12")), ("12.5", Decimal("12.5")), ("12,5", Decimal("12.5")),
    ("-0,25", Decimal("-0.25")), ("1.234,56", Decimal("1234.56")),
    ("1,234.56", Decimal("1234.56")), ("1,234,567", Decimal("1234567")),
    ("1 000", Decimal("1000")), ("１２３．５", Decimal("123.5")),
    (7, Decimal("7")), (2.5, Decimal("2.5")), (Decimal("3.14"), Decimal("3.14")),
])
def test_number(typed, value):
    assert parse_value(field("number"), typed) == value


@pytest.mark.parametrize("typed", ["abc", "1.2.3", "12a", "1e5", "NaN", "--1", True,
                                   "1" + "0" * 18])
def test_number_refused(typed):
    with pytest.raises(ContactFieldError) as err:
        parse_value(field("number"), typed)
    assert err.value.field == "my_number"
    assert "number" in err.value.message


def test_number_shown_plain():
    assert str(plain_number(Decimal("100.000000"))) == "100"
    assert str(plain_number(Decimal("12.500000"))) == "12.5"


@pytest.mark.parametrize("typed", ["2026-11-23", "2026/11/23", "2026.11.23", "2026年11月23日",
                                   "2026 年 11 月 23 日", "２０２６年１１月２３日",
                                   "2026-11-23T08:30:00", dt.date(2026, 11, 23),
                                   dt.datetime(2026, 11, 23, 9, 0)])
def test_date(typed):
    assert parse_value(field("date"), typed) == dt.date(2026, 11, 23)


def test_date_single_digits():
    assert parse_value(field("date"), "2026年1月5日") == dt.date(2026, 1, 5)
    assert parse_value(field("date"), "2026/1/5") == dt.date(2026, 1, 5)


@pytest.mark.parametrize("typed", ["2026-13-01", "2026-02-30", "23.11.2026", "tomorrow",
                                   "2026年11月"])
def test_date_refused(typed):
    with pytest.raises(ContactFieldError) as err:
        parse_value(field("date"), typed)
    assert err.value.field == "my_date"
    assert "date" in err.value.message


@pytest.mark.parametrize("typed, value", [
    ("yes", True), ("No", False), ("TRUE", True), ("false", False), ("1", True), ("0", False),
    ("是", True), ("否", False), (True, True), (False, False), ("y", True), ("on", True),
])
def test_boolean(typed, value):
    assert parse_value(field("boolean"), typed) is value


@pytest.mark.parametrize("typed", ["maybe", "2", "真的吗"])
def test_boolean_refused(typed):
    with pytest.raises(ContactFieldError) as err:
        parse_value(field("boolean"), typed)
    assert err.value.field == "my_boolean"


def test_choice_is_one_of_the_choices():
    size = field("choice", choices="Small\nMedium\n\n  Large  \n大型\n")
    assert size.choice_list() == ["Small", "Medium", "Large", "大型"]
    assert parse_value(size, "Medium") == "Medium"
    assert parse_value(size, " large ") == "Large"  # as the admin spelled it
    assert parse_value(size, "大型") == "大型"
    with pytest.raises(ContactFieldError) as err:
        parse_value(size, "Huge")
    assert err.value.field == "my_choice"
    assert "Small, Medium, Large, 大型" in err.value.message


@pytest.mark.parametrize("field_type", ["text", "number", "date", "boolean", "choice", "user"])
@pytest.mark.parametrize("typed", [None, "", "   "])
def test_empty_is_no_value(field_type, typed):
    assert parse_value(field(field_type, choices="A"), typed) is None
