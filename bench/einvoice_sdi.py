"""FatturaPA through SdI (issue 15): generated, validated and sent per second.

1. generate: N FatturaPA 1.2 files from the tests' Italian invoice and credit
   note (tests/sdi_documents.py, each a fresh Document so its summaries and
   totals are computed inside the timing), files per second.
2. compile: the official FatturaPA XSD (with xmldsig), once per process.
3. validate: the N files by that XSD after the compile, p50/p95 per file;
   every one must be valid.
4. send: the N files through our zeep SdIRiceviFile client to the SdI
   stand-in (tests/doubles/sdi_standin.py, which validates each request and
   the file inside as SdI would) on this machine, round trips per second.

The official artefacts come from --artefacts (default: ../shared/reference/
italy-sdi beside the clone, as the tests read them).

    .venv/bin/python bench/einvoice_sdi.py                 # N = 500
    .venv/bin/python bench/einvoice_sdi.py --documents 50
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
from connectors.einvoice.sdi import artefacts  # noqa: E402
from connectors.einvoice.sdi.client import SdiClient  # noqa: E402
from connectors.einvoice.sdi.fatturapa import to_fatturapa  # noqa: E402
from connectors.einvoice.sdi.validation import fatturapa_errors  # noqa: E402
from tests.doubles.sdi_standin import SdiStandin  # noqa: E402
from tests.sdi_documents import CREDIT_NOTE_IT, INVOICE_IT, SDI_ARTEFACTS, transmission  # noqa: E402


def generate(n: int) -> list[tuple[str, bytes]]:
    cases = (INVOICE_IT, CREDIT_NOTE_IT)
    docs = [(replace(cases[i % 2], number=f"FT-BENCH-{i:06d}"), transmission(f"{i:05d}"))
            for i in range(n)]
    started = time.perf_counter()
    files = [(tx.file_name, to_fatturapa(doc, tx)) for doc, tx in docs]
    seconds = time.perf_counter() - started
    print(f"generate FatturaPA: {n} files in {seconds:.2f} s, {n / seconds:.0f}/s")
    return files


def validate_all(folder: Path, files: list[tuple[str, bytes]]) -> None:
    compiled = artefacts.schema(folder, artefacts.FATTURAPA_XSD)
    print(f"compile FatturaPA XSD: {compiled.seconds:.2f} s (once per process)")
    timings = []
    for name, xml in files:
        started = time.perf_counter()
        errors = fatturapa_errors(xml, folder)
        timings.append((time.perf_counter() - started) * 1000)
        if errors:
            raise SystemExit(f"{name} not valid: {errors}")
    total = sum(timings) / 1000
    print(f"validate FatturaPA: {len(files)} files in {total:.2f} s, {len(files) / total:.0f}/s, "
          f"per file p50 {statistics.median(timings):.2f} ms, p95 {pct(timings, .95):.2f} ms "
          "(XSD, all valid)")


def send_all(folder: Path, files: list[tuple[str, bytes]]) -> None:
    standin = SdiStandin(folder, "http://127.0.0.1:9/unused", after_receipt=()).start()
    try:
        client = SdiClient(folder, standin.url, timeout=(2, 10))
        timings = []
        for name, xml in files:
            started = time.perf_counter()
            client.send(name, xml)
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        standin.stop()
    total = sum(timings) / 1000
    print(f"send via SdIRiceviFile: {len(files)} files in {total:.2f} s, "
          f"{len(files) / total:.0f}/s, per file p50 {statistics.median(timings):.1f} ms, "
          f"p95 {pct(timings, .95):.1f} ms (our XSD check + SOAP + the stand-in's checks)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=500)
    parser.add_argument("--artefacts", type=Path, default=SDI_ARTEFACTS)
    args = parser.parse_args()
    files = generate(args.documents)
    validate_all(args.artefacts, files)
    send_all(args.artefacts, files)


if __name__ == "__main__":
    main()
