"""Findings in the reader's language: the zh table covers exactly the rules
of the official stylesheets our generator could trip (BR-01..BR-16, BR-CO-*,
BR-S-*), so it neither misses one nor keeps one CEN has dropped; other rules
and other languages read the official English."""
from __future__ import annotations

import re
from dataclasses import replace

from connectors.einvoice.rule_texts import ZH, rule_text
from connectors.einvoice.ubl import to_ubl
from connectors.einvoice.validation import validate
from tests.einvoice_documents import ARTEFACTS, BUYER_DE, CASES

COVERED = re.compile(r"^BR-(0[1-9]|1[0-6]|CO-\d+|S-\d+)$")


def official_rules(syntax: str) -> set[str]:
    xslt = (ARTEFACTS / syntax / "xslt" / f"EN16931-{syntax.upper()}-validation.xslt")
    return set(re.findall(r'<xsl:attribute name="id">([^<]+)</xsl:attribute>',
                          xslt.read_text()))


def test_the_zh_table_covers_the_generators_rules_of_both_syntaxes():
    for syntax in ("ubl", "cii"):
        assert {r for r in official_rules(syntax) if COVERED.match(r)} == set(ZH), syntax


def test_a_finding_reads_in_chinese_or_in_the_official_english():
    (finding,) = validate(to_ubl(replace(CASES["mixed 19% and 7%"],
                                         buyer=replace(BUYER_DE, name=""))), ARTEFACTS).findings
    assert rule_text(finding.rule, finding.text, "zh_Hans_CN") == "发票必须包含买方名称（BT-44）。"
    assert rule_text(finding.rule, finding.text, "en") == (
        "An Invoice shall contain the Buyer name (BT-44).")
    assert rule_text("BR-E-10", "A VAT breakdown ...", "zh") == "A VAT breakdown ..."
