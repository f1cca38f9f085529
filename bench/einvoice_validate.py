"""EN 16931 e-invoices (issue 15): generated and validated per second, in-process.

1. generate: N documents of each syntax from the tests' ten VAT situations
   (tests/einvoice_documents.py, each a fresh Document so its breakdown and
   totals are computed inside the timing): UBL (Peppol BIS 3) and CII
   (Factur-X EN 16931) documents per second.
2. compile: what the first use of each official artefact costs, once per
   process (the XSDs with lxml, the business-rule stylesheets with Saxon).
3. validate: the N documents of each syntax through the XSD and the rules
   after the compile, p50/p95 per document; every one must be valid.
4. Factur-X: P PDFs (the same situations, labelled en and zh in turn), each
   the whole of `facturx_pdf`: CII, validation, the PDF/A-3B in the CJK font
   (--font, Debian's by default), the library's XSD check and embedding.

The official artefacts come from --artefacts (default: ../shared/reference/
en16931 beside the clone, as the tests read them).

    .venv/bin/python bench/einvoice_validate.py                 # N = 500
    .venv/bin/python bench/einvoice_validate.py --documents 50 --pdfs 10
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.contacts_list_search import pct  # noqa: E402
from connectors.einvoice import artefacts  # noqa: E402
from connectors.einvoice.cii import to_cii  # noqa: E402
from connectors.einvoice.facturx import facturx_pdf  # noqa: E402
from connectors.einvoice.settings import DEBIAN_CJK_FONT  # noqa: E402
from connectors.einvoice.ubl import to_ubl  # noqa: E402
from connectors.einvoice.validation import validate  # noqa: E402
from tests.einvoice_documents import ARTEFACTS, CASES  # noqa: E402

WRITERS = {"UBL": to_ubl, "CII": to_cii}


def documents(n: int):
    cases = list(CASES.values())
    return [replace(cases[i % len(cases)], number=f"RE-BENCH-{i:06d}") for i in range(n)]


def generate(n: int) -> dict[str, list[bytes]]:
    out = {}
    for syntax, write in WRITERS.items():
        docs = documents(n)  # fresh: amounts not yet computed
        started = time.perf_counter()
        out[syntax] = [write(doc) for doc in docs]
        seconds = time.perf_counter() - started
        print(f"generate {syntax}: {n} documents in {seconds:.2f} s, {n / seconds:.0f}/s")
    return out


def compile_once(folder: Path) -> None:
    for label, compiled in (("UBL rules (XSLT)", artefacts.rules(folder, "ubl")),
                            ("CII rules (XSLT)", artefacts.rules(folder, "cii")),
                            ("UBL Invoice XSD", artefacts.schema(folder, "Invoice")),
                            ("UBL CreditNote XSD", artefacts.schema(folder, "CreditNote")),
                            ("CII XSD", artefacts.schema(folder, "CrossIndustryInvoice"))):
        print(f"compile {label}: {compiled.seconds:.2f} s (once per process)")


def validate_all(folder: Path, generated: dict[str, list[bytes]]) -> None:
    for syntax, xmls in generated.items():
        timings = []
        for xml in xmls:
            started = time.perf_counter()
            report = validate(xml, folder)
            timings.append((time.perf_counter() - started) * 1000)
            if not report.valid:
                raise SystemExit(f"{syntax} document not valid: {report}")
        total = sum(timings) / 1000
        print(f"validate {syntax}: {len(xmls)} documents in {total:.2f} s, "
              f"{len(xmls) / total:.0f}/s, per document p50 {statistics.median(timings):.1f} ms, "
              f"p95 {pct(timings, .95):.1f} ms (XSD + rules, all valid)")


def facturx_pdfs(folder: Path, n: int, font: Path) -> None:
    timings, sizes = [], []
    for i, doc in enumerate(documents(n)):
        started = time.perf_counter()
        pdf = facturx_pdf(doc, ("en", "zh")[i % 2], artefacts=folder, font=font)
        timings.append((time.perf_counter() - started) * 1000)
        sizes.append(len(pdf) / 1024)
    total = sum(timings) / 1000
    print(f"Factur-X: {n} PDFs in {total:.2f} s, {n / total:.1f}/s, per PDF p50 "
          f"{statistics.median(timings):.0f} ms, p95 {pct(timings, .95):.0f} ms, "
          f"{statistics.median(sizes):.0f} KB (CII, validation, PDF/A-3B, embedding)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--pdfs", type=int, default=50)
    parser.add_argument("--artefacts", type=Path, default=ARTEFACTS)
    parser.add_argument("--font", type=Path, default=Path(DEBIAN_CJK_FONT))
    args = parser.parse_args()
    generated = generate(args.documents)
    compile_once(args.artefacts)
    validate_all(args.artefacts, generated)
    facturx_pdfs(args.artefacts, args.pdfs, args.font)


if __name__ == "__main__":
    main()
