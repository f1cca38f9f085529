"""Data the addon ships: the demo contacts generator."""
