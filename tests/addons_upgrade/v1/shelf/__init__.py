"""Test addon for the rolling upgrade: items on a shelf, through the REST API."""
from .api.item_api import ItemApi


def register(addon):
    addon.api(ItemApi)
