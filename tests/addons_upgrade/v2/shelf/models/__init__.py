from .item import ShelfItem  # noqa: F401
