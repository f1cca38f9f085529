from .company import Company  # noqa: F401
from .contact_email import ContactEmail  # noqa: F401
from .contact_phone import ContactPhone  # noqa: F401
from .custom_field import CustomField  # noqa: F401
from .custom_value import CustomValue  # noqa: F401
from .duplicate_dismissal import ContactDuplicateDismissal  # noqa: F401
from .duplicate_setting import ContactDuplicateSetting  # noqa: F401
from .external_id import ContactExternalId  # noqa: F401
from .import_batch import ContactImportBatch  # noqa: F401
from .import_mapping import ContactImportMapping  # noqa: F401
from .person import Person  # noqa: F401
from .search_index import company_search, person_search  # noqa: F401
from .tag import Tag  # noqa: F401
from .tier import Tier  # noqa: F401
from .timeline_entry import TimelineEntry  # noqa: F401
