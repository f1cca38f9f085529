"""Links built once per page (core/views/link_maker.py) are the links
`url_for` makes, wherever the varying value sits in the rule."""
from __future__ import annotations

from flask import Flask, url_for

from core.views.link_maker import link_maker


def test_the_same_links_as_url_for():
    app = Flask(__name__)
    app.add_url_rule("/activities/<int:pk>/done", "done", lambda pk: "")
    app.add_url_rule("/of/<parent>/<int:pk>", "of", lambda parent, pk: "")
    app.add_url_rule("/show/<pk>", "show", lambda pk: "")
    with app.test_request_context(base_url="http://example.com/crm/"):
        for endpoint, fixed in (("done", {}), ("of", {"parent": "lead"}), ("show", {})):
            make = link_maker(endpoint, **fixed)
            for value in (0, 7, 42, 7919191919190, 123456):
                assert make(value) == url_for(endpoint, pk=value, **fixed)
        assert link_maker("done")(5) == "/crm/activities/5/done"
