"""Pure rules of sales: money rounding, line amounts, the values a catalog
record must hold. No session, no Flask, no models: models and services
import them, never the reverse (tests/unit/test_import_layers.py)."""
