"""EN 16931 e-invoices: a neutral document model, its UBL 2.1 (Peppol BIS
Billing 3.0) and CII D16B (Factur-X EN 16931) renderings, and in-process
validation by the official XSDs and CEN/TC 434 business rules; Factur-X:
the readable PDF/A-3 with the CII inside (`facturx.py`). Protocol level
only: an addon maps its invoices onto `document.Document`."""
