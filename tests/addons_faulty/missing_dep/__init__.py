"""Test addon."""
