from .seller import EinvoiceSeller  # noqa: F401
from .submission import EinvoiceEvent, EinvoiceSubmission  # noqa: F401
from .fapiao_document import FapiaoDocument  # noqa: F401
