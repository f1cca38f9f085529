"""Phone extensions as Chinese and Western files write them (issue 20, 5)."""
from __future__ import annotations

import pytest

from addons.contacts.rules.phone_normalisation import normalise_phone, phone_extension


@pytest.mark.parametrize("typed, e164, extension", [
    ("021-12345678 转 123", "+862112345678", "123"),
    ("021-12345678转123", "+862112345678", "123"),
    ("010 6552 9988 分机 8", "+861065529988", "8"),
    ("+86 21 1234 5678 ext. 45", "+862112345678", "45"),
    ("(021) 12345678 x123", "+862112345678", "123"),
    ("13800138000", "+8613800138000", None),
])
def test_extensions_are_kept_apart_from_the_number(typed, e164, extension):
    assert normalise_phone(typed, "CN") == e164
    assert phone_extension(typed, "CN") == extension
