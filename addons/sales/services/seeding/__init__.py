"""Data a new install starts with, and the demo data."""
