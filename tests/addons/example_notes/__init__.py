"""Example addon used by the tests: one owned model, a screen, a chart and a REST API."""
from .api.note_api import NoteApi
from .views.note_view import NoteChartView, NoteView


def register(addon):
    addon.view(NoteView, "Notes", category="Examples", icon="fa-sticky-note")
    addon.view(NoteChartView, "Notes per owner", category="Examples", icon="fa-bar-chart")
    addon.api(NoteApi)
