"""Leads and opportunities: stages, assignment, scoring, conversion, outcome."""
