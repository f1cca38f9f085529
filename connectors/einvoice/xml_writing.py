"""What both writers share: adding elements that are skipped when empty, and
the norm's number formats."""
from __future__ import annotations

from decimal import Decimal

from lxml import etree


def add(parent, tag: str, text=None, **attrs) -> etree._Element:
    """A child `tag` ("{ns}name") with `text`; attributes with empty values are left out."""
    child = etree.SubElement(parent, tag, {k: v for k, v in attrs.items() if v})
    if text is not None:
        child.text = text
    return child


def add_text(parent, tag: str, text: str, **attrs) -> None:
    """A child only when `text` is not empty (optional business terms)."""
    if text:
        add(parent, tag, text, **attrs)


def amount(value: Decimal) -> str:
    """Two decimals, as every EN 16931 amount (BR-DEC-*)."""
    return f"{value:.2f}"


def number(value: Decimal) -> str:
    """A price, quantity or rate as given, without an exponent or trailing zeros."""
    return format(Decimal(value).normalize(), "f")


def serialise(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
