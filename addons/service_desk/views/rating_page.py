"""The customer's rating page, `/rate/<token>`: no login, the signed token
is the permission. GET only shows the ticket and the form (no state change
by GET); POST records the rating, once. An unknown, altered or expired token
answers 404."""
from __future__ import annotations

from flask import abort, request
from flask_appbuilder import BaseView, expose

from core.db import db

from ..services import rating


class RatingPage(BaseView):
    route_base = "/rate"
    default_view = "rate"

    def _ticket(self, token):
        ticket = rating.ticket_of(db.session, token)
        if ticket is None:
            abort(404)
        return ticket

    @expose("/<token>", methods=["GET", "POST"])
    def rate(self, token):
        ticket = self._ticket(token)
        state, problem = "form", None
        if rating.already_rated(db.session, ticket):
            state = "rated"
        elif request.method == "POST":
            try:
                rating.record(db.session, ticket, request.form.get("score", type=int) or 0,
                              request.form.get("comment"))
                db.session.commit()
                state = "thanks"
            except rating.RatingError as exc:
                db.session.rollback()
                problem = str(exc)
        return self.render_template("service_desk/rate.html", ticket=ticket, state=state,
                                    problem=problem)
