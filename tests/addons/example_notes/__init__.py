"""Example addon used by the tests: one owned model, a screen and a REST API."""
from .api.note_api import NoteApi
from .views.note_view import NoteView


def register(addon):
    addon.view(NoteView, "Notes", category="Examples", icon="fa-sticky-note")
    addon.api(NoteApi)
