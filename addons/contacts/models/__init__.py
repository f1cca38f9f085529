from .company import Company  # noqa: F401
from .contact_email import ContactEmail  # noqa: F401
from .contact_phone import ContactPhone  # noqa: F401
from .custom_field import CustomField  # noqa: F401
from .custom_value import CustomValue  # noqa: F401
from .person import Person  # noqa: F401
from .tag import Tag  # noqa: F401
from .tier import Tier  # noqa: F401
