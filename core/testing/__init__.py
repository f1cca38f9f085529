"""Test support for Crossdock and its addons: the pytest plugin (`plugin.py`,
entry point `pytest11`) and the throwaway PostgreSQL cluster it starts."""
