"""Credit limits (信用额度): what a customer owes against its limit
(exposure.py), the check sales runs when an order is confirmed and Finance's
release of a held order (credit_check.py)."""
