from flask_appbuilder.models.sqla.interface import SQLAInterface

from core.api import CrossdockModelRestApi

from ..models.ticket import Ticket


class TicketApi(CrossdockModelRestApi):
    resource_name = "example_ticket"
    datamodel = SQLAInterface(Ticket)
    list_columns = ["id", "title", "owner.id", "team.id", "queue.name", "parent.title"]
    show_columns = ["id", "title", "owner.id", "team.id", "queue.name", "parent.title"]
    add_columns = edit_columns = ["title", "owner", "team", "queue", "parent", "watchers"]
