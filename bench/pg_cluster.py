"""The benches' throwaway PostgreSQL cluster: core/testing/pg_cluster.py (the
tests' plugin ships it, so an addon's tests outside the checkout have it too)."""
from core.testing.pg_cluster import PG_BIN, create_database, pg_cluster  # noqa: F401
