from .activity import Activity  # noqa: F401
from .assignment_rule import AssignmentMember, AssignmentRule  # noqa: F401
from .currency import Currency, CurrencyRate  # noqa: F401
from .lead import Lead  # noqa: F401
from .lost_reason import LostReason  # noqa: F401
from .price_list import PriceList, PriceListItem  # noqa: F401
from .product import Product  # noqa: F401
from .sales_order import SalesOrder, SalesOrderLine  # noqa: F401
from .scoring_rule import ScoringRule  # noqa: F401
from .stage import Stage  # noqa: F401
from .tax import Tax  # noqa: F401
