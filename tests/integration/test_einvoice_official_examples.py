"""Every official example of the CEN/TC 434 artefacts is judged by our
validator as by the official tools: the XSD of its syntax and the EN 16931
business rules. All of them are positive for EN 16931: BIS3_Invoice_negativ
breaks only Peppol BIS rules (not part of these artefacts), and
CII-BR-CO-10-RoundingIssue is the regression case of a sum the rules once
rounded wrongly. A planted error in one of them is caught, so the verdicts
above are not the validator seeing nothing."""
from __future__ import annotations

import re

import pytest

from connectors.einvoice import artefacts
from connectors.einvoice.validation import validate
from tests.einvoice_documents import ARTEFACTS

EXAMPLES = sorted((ARTEFACTS / "ubl" / "examples").glob("*")) + sorted(
    (ARTEFACTS / "cii" / "examples").glob("*"))


def test_the_artefacts_are_beside_the_clone():
    assert len(EXAMPLES) == 34, f"official examples expected in {ARTEFACTS.resolve()}"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_an_official_example_has_no_schema_error_and_no_fatal_finding(example):
    report = validate(example.read_bytes(), ARTEFACTS)
    assert report.syntax == example.parent.parent.name
    assert report.schema_errors == ()
    assert [f.rule for f in report.fatal] == []
    assert report.valid


def test_a_wrong_amount_due_in_an_official_example_is_br_co_16():
    xml = (ARTEFACTS / "ubl" / "examples" / "ubl-tc434-example1.xml").read_text()
    xml, n = re.subn(r"(<cbc:PayableAmount[^>]*>)[^<]*", r"\g<1>1.00", xml)
    assert n == 1
    report = validate(xml.encode(), ARTEFACTS)
    assert [(f.rule, f.flag) for f in report.findings] == [("BR-CO-16", "fatal")]
    assert report.findings[0].text.startswith("Amount due for payment (BT-115) = ")
    assert "LegalMonetaryTotal" in report.findings[0].location


def test_each_stylesheet_and_schema_is_compiled_once_per_process():
    first = [artefacts.rules(ARTEFACTS, "ubl"), artefacts.rules(ARTEFACTS, "cii"),
             artefacts.schema(ARTEFACTS, "Invoice")]
    again = [artefacts.rules(ARTEFACTS, "ubl"), artefacts.rules(ARTEFACTS, "cii"),
             artefacts.schema(ARTEFACTS, "Invoice")]
    assert all(a is b for a, b in zip(first, again))
