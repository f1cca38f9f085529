"""Test addon whose migration fails after creating a table."""
