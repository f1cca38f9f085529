"""Company tax identifiers: validated where a validator exists, stored compact.

Which scheme applies is read from the value itself, so the result never
depends on the order in which a form sets fields:
- a two-letter EU member-state prefix (DE, FR, EL...): an EU VAT number;
- 18 characters otherwise: a Chinese unified social credit code (统一社会信用代码);
- anything else has no validator here and is kept in its compact form.
"""
from __future__ import annotations

from stdnum.cn import uscc
from stdnum.eu import vat
from stdnum.exceptions import ValidationError

from .field_error import N_, ContactFieldError

_EU_PREFIXES = {code.upper() for code in vat.MEMBER_STATES} | {"EL"}


def normalise_tax_id(typed: str, field: str = "tax_id") -> str:
    """The compact, validated identifier, or ContactFieldError naming `field`."""
    value = (typed or "").strip()
    compact = "".join(ch for ch in value if ch.isalnum()).upper()
    if not compact:
        raise ContactFieldError(field, N_("a tax identifier is required"))
    try:
        if compact[:2] in _EU_PREFIXES and not compact[:2].isdigit():
            return vat.validate(compact)
        if len(compact) == 18:
            return uscc.validate(compact)
    except ValidationError as exc:
        message = (N_("'%(value)s' is not a valid EU VAT number (%(why)s)")
                   if compact[:2] in _EU_PREFIXES else
                   N_("'%(value)s' is not a valid unified social credit code (%(why)s)"))
        raise ContactFieldError(field, message, value=value, why=exc) from None
    return compact
