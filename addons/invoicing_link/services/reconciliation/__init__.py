"""Reconciliation (对账): for a period and a backend, every invoice and credit
note here against the finance system's, computed live (nothing stored):

- our_invoices.py: ours that belong to the backend, in one column-only select;
- matching.py: ours against the remote listing, by external id then reference;
- differences.py: the kinds of difference and what a row holds;
- reconcile.py: the command the screen and `crossdock invoicing_link reconcile` run;
- resync.py: one row sent again (push) or read again (pull), through the hub, audited.
"""
