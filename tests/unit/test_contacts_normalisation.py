"""Contacts' normalisation rules: phones to E.164, e-mails to their key, tax ids validated."""
from __future__ import annotations

import pytest

from addons.contacts.rules.email_normalisation import normalise_email
from addons.contacts.rules.field_error import ContactFieldError
from addons.contacts.rules.phone_normalisation import normalise_phone
from addons.contacts.rules.tax_id_validation import normalise_tax_id
from addons.contacts.services.contact_channels import parse_emails, parse_phones


@pytest.mark.parametrize("typed, region, e164", [
    ("138 0013 8000", None, "+8613800138000"),  # CN is the default region
    ("138-0013-8000", "CN", "+8613800138000"),
    ("+86 138 0013 8000", "GB", "+8613800138000"),
    ("010 6552 9988", "CN", "+861065529988"),
    ("+44 20 7946 0958", None, "+442079460958"),
    ("020 7946 0958", "GB", "+442079460958"),
])
def test_phones_become_e164(typed, region, e164):
    assert normalise_phone(typed, region) == e164


@pytest.mark.parametrize("typed", ["123", "138 0013 800", "not a number", "+44 20 7946", ""])
def test_invalid_phones_name_the_field(typed):
    with pytest.raises(ContactFieldError) as err:
        normalise_phone(typed, field="phone_lines")
    assert err.value.field == "phone_lines"


@pytest.mark.parametrize("typed, key", [
    ("Li.Lei@Example.COM", "li.lei@example.com"),
    ("  a@bücher.de ", "a@bücher.de"),
    ("A@BÜCHER.DE", "a@bücher.de"),
    ("a@xn--bcher-kva.de", "a@bücher.de"),  # punycode and Unicode give one key
    ("用户@例子.广告", "用户@例子.广告"),
])
def test_emails_are_lower_cased_with_unicode_domains(typed, key):
    assert normalise_email(typed) == key


@pytest.mark.parametrize("typed", ["plainaddress", "a@", "a@b", "a b@example.com",
                                   "用户@", "a@-bücher.de"])
def test_invalid_emails_name_the_field(typed):
    with pytest.raises(ContactFieldError) as err:
        normalise_email(typed)
    assert err.value.field == "email"


@pytest.mark.parametrize("typed, key", [
    ("91350100M000100Y43", "91350100M000100Y43"),  # 统一社会信用代码
    ("91350100m000100y43", "91350100M000100Y43"),
    ("DE 136,695 976", "DE136695976"),
    ("fr 40 303 265 045", "FR40303265045"),
    ("EL 094259216", "EL094259216"),
    ("12-3456789", "123456789"),  # no validator for this scheme: kept compact
])
def test_tax_ids_are_validated_and_compact(typed, key):
    assert normalise_tax_id(typed) == key


@pytest.mark.parametrize("typed", ["91350100M000100Y44", "91350100M000100Y4O",
                                   "DE136695977", "FR00303265045"])
def test_invalid_tax_ids_name_the_field(typed):
    with pytest.raises(ContactFieldError) as err:
        normalise_tax_id(typed)
    assert err.value.field == "tax_id"


def test_channel_lines_keep_kind_and_what_was_typed():
    assert parse_phones("mobile: 138 0013 8000\n\n+44 20 7946 0958\n") == [
        ("mobile", "138 0013 8000"), ("work", "+44 20 7946 0958")]
    assert parse_emails("home: 用户@例子.广告") == [("home", "用户@例子.广告")]


def test_a_bad_line_names_the_field_and_the_line():
    with pytest.raises(ContactFieldError) as err:
        parse_phones("mobile: 138 0013 8000\nwork: 123", field="phone_lines")
    assert err.value.field == "phone_lines"
    assert err.value.message.startswith("line 2:")
