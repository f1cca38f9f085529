"""The pipeline board (销售看板): one column per stage of a team's pipeline.

Thin on purpose: the queries live in services/reporting/pipeline_board.py, moves in
services/leads/stage_moves.py and won/lost in services/leads/lead_outcome.py. GET serves
the page, a column's next cards and the totals; only POST (with the page's
CSRF token in X-CSRFToken) changes anything.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from flask import current_app, flash, jsonify, render_template, request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access_api
from flask_babel import gettext
from sqlalchemy import select

from core.db import db
from core.user_time import today
from core.views.link_maker import link_maker
from core.security.record_rules import AccessDenied

from ..models import Lead, LostReason, Stage
from ..services.catalog.currency_rates import MissingRate, base_currency
from ..services.leads.stage_moves import StageMoveError, move_to_stage, pipeline_of, stage_allowed
from ..services.reporting import pipeline_board as board

TEMPLATES = str(Path(__file__).resolve().parent.parent / "templates")
# the lead's own page, when H1's screen that serves it is mounted
LEAD_SHOW_ENDPOINTS = ("OpportunityView.show", "LeadView.show")


def format_money(amount: Decimal | None, places: int, code: str) -> str:
    return f"{Decimal(amount or 0):,.{places}f} {code}"


def _totals_label(totals: board.ColumnTotals, base) -> str:
    parts = [format_money(totals.total, base.decimal_places, base.code)] if base else []
    # unconverted sums come rounded to their own currency's places
    parts += [gettext("%(amount)s (no rate)", amount=f"{a:,} {code}")
              for code, a in totals.unconverted]
    return " + ".join(parts)


def _base(session):
    try:
        return base_currency(session)
    except MissingRate:
        return None


def _totals_json(columns: dict[int, board.ColumnTotals], base) -> list[dict]:
    return [{"stage_id": stage_id, "count": t.count, "total": str(t.total),
             "unconverted": [[code, str(a)] for code, a in t.unconverted],
             "label": _totals_label(t, base)}
            for stage_id, t in columns.items()]


def _error(message: str, status: int):
    return jsonify(ok=False, message=message), status


class PipelineBoardView(BaseView):
    route_base = "/sales/board"
    template_folder = TEMPLATES
    default_view = "board"
    # the access rows of Lead grant these permissions (security/access.csv):
    # reading the board needs read, moving a card needs write
    datamodel = SQLAInterface(Lead)
    method_permission_name = {"board": "list", "cards": "list", "totals": "list",
                              "move": "edit", "lost": "edit"}

    def _filter(self):
        teams = board.board_teams(db.session)
        return teams, board.parse_filter(db.session, request.args, teams)

    def _lead_url(self):
        for endpoint in LEAD_SHOW_ENDPOINTS:
            if endpoint in current_app.view_functions:
                return link_maker(endpoint)  # one url_for per page, not per card
        return None

    def _card_context(self, stages):
        base = _base(db.session)
        return dict(stages=stages, today=today(), format_money=format_money,
                    lead_url=self._lead_url(),
                    won_stage=board.won_column(stages), base=base)

    @expose("/", methods=["GET"])
    @has_access
    def board(self):
        try:
            teams, f = self._filter()
        except board.BoardInputError as exc:
            flash(str(exc), "danger")
            teams = board.board_teams(db.session)
            f = board.BoardFilter(teams[0].id if teams else None)
        columns = board.board_columns(db.session, f)
        stages = [c.stage for c in columns]
        ctx = self._card_context(stages)
        owners = []
        team = next((t for t in teams if t.id == f.team_id), None)
        if team is not None:
            owners = sorted(team.members, key=lambda u: u.username)
        reasons = db.session.scalars(select(LostReason).where(LostReason.active)
                                     .order_by(LostReason.name)).all()
        return self.render_template(
            "sales/board.html", columns=columns, teams=teams, filter=f, owners=owners,
            reasons=reasons, no_team=board.NO_TEAM,
            totals_label=lambda t: _totals_label(t, ctx["base"]), **ctx)

    @expose("/cards", methods=["GET"])
    @has_access_api
    def cards(self):
        """The next page of one column: {html, next} (next = null on the last page)."""
        try:
            _teams, f = self._filter()
            stage_id = int(request.args.get("stage_id", ""))
        except board.BoardInputError as exc:
            return _error(str(exc), 400)
        except ValueError:
            return _error(gettext("stage_id: a stage id is required"), 400)
        stages = pipeline_of(db.session, f.team_id)
        stage = next((s for s in stages if s.id == stage_id), None)
        if stage is None:
            return _error(gettext("stage_id: #%(id)s is not a stage of this board",
                                  id=stage_id), 404)
        try:
            cards, cursor = board.column_cards(db.session, f, stage, stages,
                                               after=request.args.get("after") or None)
        except board.BoardInputError as exc:
            return _error(str(exc), 400)
        html = render_template("sales/board_cards.html", cards=cards, column_stage_id=stage.id,
                               **self._card_context(stages))
        return jsonify(ok=True, html=html, next=cursor, count=len(cards))

    @expose("/totals", methods=["GET"])
    @has_access_api
    def totals(self):
        """Every column's count and total, as the headers show them."""
        try:
            _teams, f = self._filter()
        except board.BoardInputError as exc:
            return _error(str(exc), 400)
        stages = pipeline_of(db.session, f.team_id)
        columns = board.column_totals(db.session, f, stages)
        return jsonify(ok=True, columns=_totals_json(columns, _base(db.session)))

    def _lead_and_totals(self, act):
        """Load the posted lead, run `act(lead, payload)`, commit, and answer the
        board's new totals; any refusal rolls back and answers the message."""
        payload = request.get_json(silent=True)
        if not isinstance(payload, dict):
            return _error(gettext("a JSON object is required"), 400)
        try:
            lead_id = int(payload.get("lead_id"))
        except (TypeError, ValueError):
            return _error(gettext("lead_id: an opportunity id is required"), 400)
        try:
            _teams, f = self._filter()
        except board.BoardInputError as exc:
            return _error(str(exc), 400)
        lead = db.session.get(Lead, lead_id)  # record rules: None if not readable
        if lead is None:
            return _error(gettext("opportunity #%(id)s not found", id=lead_id), 404)
        try:
            act(lead, payload)
            db.session.commit()
        except (StageMoveError, board.BoardInputError) as exc:
            db.session.rollback()
            return _error(str(exc), 409)
        except AccessDenied as exc:
            db.session.rollback()
            return _error(str(exc), 403)
        except ValueError as exc:  # the outcome services' refusals
            db.session.rollback()
            return _error(str(exc), 409)
        stages = pipeline_of(db.session, f.team_id)
        columns = board.column_totals(db.session, f, stages)
        return jsonify(ok=True, lead_id=lead.id, stage_id=lead.stage_id, status=lead.status,
                       columns=_totals_json(columns, _base(db.session)))

    @expose("/move", methods=["POST"])
    @has_access_api
    def move(self):
        """{lead_id, stage_id}: move the card; onto the won stage, mark it won."""
        def act(lead, payload):
            try:
                stage = db.session.get(Stage, int(payload.get("stage_id")))
            except (TypeError, ValueError):
                stage = None
            if stage is None:
                raise board.BoardInputError(gettext("stage_id: no such stage"))
            if stage.is_won:  # won is an outcome (closed_at, its own audit event)
                from ..services.leads.lead_outcome import mark_won

                if not stage_allowed(db.session, lead, stage):
                    raise StageMoveError(gettext(
                        "stage '%(stage)s' is not in the pipeline of %(lead)s's team",
                        stage=stage.name, lead=lead.name))
                mark_won(db.session, lead)
            else:
                move_to_stage(db.session, lead, stage)
        return self._lead_and_totals(act)

    @expose("/lost", methods=["POST"])
    @has_access_api
    def lost(self):
        """{lead_id, reason_id, note}: mark the opportunity lost (it leaves the board)."""
        def act(lead, payload):
            from ..services.leads.lead_outcome import mark_lost

            try:
                reason = db.session.get(LostReason, int(payload.get("reason_id")))
            except (TypeError, ValueError):
                reason = None
            if reason is None:
                raise board.BoardInputError(gettext("lost reason: choose why it was lost"))
            mark_lost(db.session, lead, reason, (payload.get("note") or "").strip() or None)
        return self._lead_and_totals(act)
