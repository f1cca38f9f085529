"""Quotations and orders: lines, totals, numbers, the lock, state moves, input."""
