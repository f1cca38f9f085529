from flask_appbuilder.models.sqla.interface import SQLAInterface

from core.api import CrossdockModelRestApi

from ..models.item import ShelfItem


class ItemApi(CrossdockModelRestApi):
    resource_name = "shelfitem"
    datamodel = SQLAInterface(ShelfItem)
    list_columns = show_columns = ["id", "name"]
    add_columns = edit_columns = ["name"]
