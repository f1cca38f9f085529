"""The start page: the tiles addons and extensions contribute (core/home_tiles.py)
for the logged-in user; a visitor who is not logged in is shown the way in."""
from __future__ import annotations

from flask_appbuilder import IndexView, expose
from flask_login import current_user

from ..home_tiles import tiles_for_request


class HomeView(IndexView):
    index_template = "crossdock/home.html"

    @expose("/")
    def index(self):
        self.update_redirect()
        tiles = tiles_for_request() if current_user.is_authenticated else []
        return self.render_template(self.index_template, appbuilder=self.appbuilder,
                                    tiles=tiles)
