"""Links to many records of one endpoint, with one `url_for` per page.

A page of 150 rows calling `url_for` per row spends a few milliseconds in
Werkzeug's URL building alone (bench/page_cost.py). `link_maker` builds the
URL once with a marker number in place of the varying value and returns a
function that puts each value there instead.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import url_for

_MARKER = 7_919_191_919_191  # an int, so `<int:...>` converters accept it


def link_maker(endpoint: str, key: str = "pk", **fixed) -> Callable[[object], str]:
    """`make(v)` == `url_for(endpoint, **fixed, key=v)` for ints and plain text
    values (letters, digits, '-', '_', '.'), which need no quoting."""
    prefix, _, suffix = url_for(endpoint, **fixed, **{key: _MARKER}).partition(str(_MARKER))
    return lambda value: f"{prefix}{value}{suffix}"
