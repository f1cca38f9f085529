from .note import Note  # noqa: F401
