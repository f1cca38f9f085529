"""A fapiao request as JSON and back (pure): what a sender keeps as the
document it sends, so the sending rebuilds the very request that was
checked. Amounts as strings (no float), kinds and reasons by value, the
order time in ISO 8601; `"type"` says blue (`issue`) or red (`red_letter`).
"""
from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal

from .fapiao import (FapiaoKind, FapiaoLine, FapiaoRequest, Party, RedLetterLine,
                     RedLetterReason, RedLetterRequest)

ISSUE, RED_LETTER = "issue", "red_letter"
_DECIMALS = ("quantity", "unit_price", "tax_rate")


def dumps(request: FapiaoRequest | RedLetterRequest) -> bytes:
    data = asdict(request)
    if isinstance(request, FapiaoRequest):
        data.update(type=ISSUE, kind=request.kind.value,
                    ordered_at=request.ordered_at.isoformat(),
                    lines=[_line_out(line) for line in data["lines"]])
    else:
        data.update(type=RED_LETTER, blue_kind=request.blue_kind.value,
                    reason=request.reason.name,
                    lines=[{"blue_line_no": part["blue_line_no"],
                            "line": _line_out(part["line"])} for part in data["lines"]])
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1).encode()


def loads(content: bytes) -> FapiaoRequest | RedLetterRequest:
    data = json.loads(content)
    kind, parties = data.pop("type"), {k: Party(**data.pop(k)) for k in ("buyer", "seller")}
    if kind == ISSUE:
        return FapiaoRequest(**data | parties | {
            "kind": FapiaoKind(data["kind"]),
            "ordered_at": datetime.fromisoformat(data["ordered_at"]),
            "lines": tuple(_line_in(line) for line in data["lines"])})
    if kind == RED_LETTER:
        return RedLetterRequest(**data | parties | {
            "blue_kind": FapiaoKind(data["blue_kind"]),
            "reason": RedLetterReason[data["reason"]],
            "lines": tuple(RedLetterLine(part["blue_line_no"], _line_in(part["line"]))
                           for part in data["lines"])})
    raise ValueError(f"not a kept fapiao request (type {kind!r})")


def _line_out(line: dict) -> dict:
    return line | {name: str(line[name]) for name in _DECIMALS}


def _line_in(line: dict) -> FapiaoLine:
    return FapiaoLine(**line | {name: Decimal(line[name]) for name in _DECIMALS})
