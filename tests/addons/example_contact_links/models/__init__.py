from .visit import ContactVisit  # noqa: F401
