"""Duplicate contacts: what matches (detection), the check of one contact being
saved (check), groups across the base (groups), and the warn/block policy
with the pairs users dismissed (policy)."""
