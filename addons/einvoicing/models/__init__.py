from .seller import EinvoiceSeller  # noqa: F401
