"""Italy's Sistema di Interscambio (SdI), at the protocol level: FatturaPA 1.2
from the neutral EN 16931 `Document` (`fatturapa.py`, with the Italian
transmission data of `transmission.py`), checked by the official XSD before
anything leaves (`validation.py`), sent with SdIRiceviFile (`client.py`, zeep),
and SdI's TrasmissioneFatture notifications read and mapped to e-invoice
states (`notifications.py`) behind our SOAP endpoint (`endpoint.py`).

It sits inside `einvoice/` because it is one more rendering of the same
`Document` and reuses that package's amounts and its compiled-once artefacts;
an addon maps its invoices onto `Document` + `Transmission` and applies the
neutral `SdiResult`s, nothing here knows our models.
"""
