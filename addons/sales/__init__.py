"""Sales (销售管理): from first touch to confirmed order. Leads and opportunities
on per-team pipelines, activities, assignment rules, lead scoring, products,
price lists, taxes and currencies, quotations and orders (confirming one records
the ERP sync request the integration hub consumes), and a sales dashboard."""
from flask_babel import lazy_gettext as _l

from .services.default_data import seed_defaults

CATEGORY = "Sales"


def register(addon):
    menu = dict(category=CATEGORY, category_label=_l("Sales"), category_icon="fa-handshake-o")
    addon.on("post_install", seed_defaults)
