"""The checked rows of a preview, kept on the batch for the commit.

Validating phones, e-mails and tax ids is most of an import's work and
depends on the file alone, so the commit reuses what the preview computed
when the file, encoding and mapping are unchanged (`fingerprint`) instead of
checking 100,000 rows twice. What depends on the base (owners' scope,
duplicates) is checked again at commit; custom values are kept as typed and
parsed again (their field definitions may have changed).
"""
from __future__ import annotations

import hashlib
import json
import zlib

from ...models import ContactImportBatch
from .rows import ParsedRow


def fingerprint(batch: ContactImportBatch) -> str:
    digest = hashlib.sha256(batch.data)
    digest.update(json.dumps([batch.kind, batch.encoding, batch.mapping, batch.source_system]).encode())
    return digest.hexdigest()


def store(batch: ContactImportBatch, rows: list[ParsedRow]) -> None:
    plain = [[r.number, r.values, r.phones, r.emails, r.tags, r.custom_text, r.errors,
              r.owner_given, r.external_id, r.company_ref, r.company_by_key, r.other_kind]
             for r in rows]
    batch.parsed = zlib.compress(json.dumps(plain, ensure_ascii=False).encode("utf-8"), 1)
    batch.parsed_key = fingerprint(batch)


def load(batch: ContactImportBatch) -> list[ParsedRow] | None:
    """The stored rows, or None when there are none for this file and mapping."""
    if not batch.parsed or batch.parsed_key != fingerprint(batch):
        return None
    rows = []
    for (number, values, phones, emails, tags, custom_text, errors, owner_given, external_id,
         company_ref, company_by_key, other_kind) in json.loads(zlib.decompress(batch.parsed)):
        rows.append(ParsedRow(number, [], values, [tuple(p) for p in phones],
                              [tuple(e) for e in emails], tags, {}, [tuple(e) for e in errors],
                              owner_given, custom_text, external_id, company_ref,
                              company_by_key, other_kind))
    return rows
