"""Integrations > Sync jobs (Admin acts; Finance reads) and > Bindings (read).

The jobs list is a plain view, not a FAB ModelView: on a table of 100k+
jobs it pages by id (`before=<id>`, newest first, never OFFSET or COUNT),
and each filter is served by an index of `hub_job` (state, backend_id,
model+record_id; kind narrows what those return). Retry and cancel are
POSTs (CSRF checked) that call `operations.retry/cancel`, which audit them;
a refusal is shown as a message. A failed job whose problem names records
(e.g. remote customers that could be ours) is resolved by POST too: bind one,
or have a new one created (`operations.resolve`), then it runs again.
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import BaseView, ModelView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext, lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select

from core.db import db

from ..models import STATES, Backend, Binding, SyncJob
from ..operations import JobActionRefused, cancel, resolve, retry
from ..state_labels import STATE_LABELS

PAGE = 50
STATE_STYLE = {"pending": "default", "queued": "info", "running": "primary",
               "done": "success", "failed": "danger", "cancelled": "warning"}
RETRYABLE, CANCELLABLE = ("failed", "queued"), ("pending", "queued", "failed")


def state_badge(state: str) -> Markup:
    return Markup(f'<span class="label label-{STATE_STYLE.get(state, "default")} hub-state" '
                  f'data-state="{escape(state)}">{escape(STATE_LABELS.get(state, state))}</span>')


def read_job_filter(args) -> tuple[dict, list[str]]:
    """The list's filters from GET parameters, and a message per malformed one."""
    errors, values = [], {}
    state = (args.get("state") or "").strip()
    if state:
        if state in STATES:
            values["state"] = state
        else:
            errors.append(gettext("state: '%(value)s' is not a job state.", value=state))
    for name in ("backend", "record_id", "before"):
        raw = (args.get(name) or "").strip()
        if raw:
            if raw.isdigit():
                values[name] = int(raw)
            else:
                errors.append(gettext("%(field)s: '%(value)s' is not a number.",
                                      field=name, value=raw))
    for name in ("kind", "model"):
        raw = (args.get(name) or "").strip()
        if raw:
            values[name] = raw
    return values, errors


def jobs_page(session, values: dict) -> tuple[list[SyncJob], int | None]:
    """One page, newest first, and the id to continue from (None at the end)."""
    stmt = select(SyncJob)
    if "state" in values:
        stmt = stmt.where(SyncJob.state == values["state"])
    if "backend" in values:
        stmt = stmt.where(SyncJob.backend_id == values["backend"])
    if "kind" in values:
        stmt = stmt.where(SyncJob.kind == values["kind"])
    if "model" in values:
        stmt = stmt.where(SyncJob.model == values["model"])
    if "record_id" in values:
        stmt = stmt.where(SyncJob.record_id == values["record_id"])
    if "before" in values:
        stmt = stmt.where(SyncJob.id < values["before"])
    rows = list(session.scalars(stmt.order_by(SyncJob.id.desc()).limit(PAGE + 1)))
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    return rows, (rows[-1].id if more else None)


def safe_next(default: str) -> str:
    """Where to go back after an action: a path of this server only (the
    job's page, or the record's page the action was taken from)."""
    target = request.form.get("next") or ""
    local = target.startswith("/") and "//" not in target and "\\" not in target
    return target if local else default


class HubJobView(BaseView):
    route_base = "/hub/jobs"
    default_view = "list"
    method_permission_name = {"list": "list", "show": "show", "retry": "retry",
                              "retry_selected": "retry", "cancel": "cancel",
                              "resolve": "retry"}

    def _may(self, action: str) -> bool:
        return self.appbuilder.sm.has_access(f"can_{action}", self.class_permission_name)

    @expose("/", methods=["GET"])
    @has_access
    def list(self):
        values, errors = read_job_filter(request.args)
        jobs, next_before = ([], None) if errors else jobs_page(db.session, values)
        backends = db.session.execute(select(Backend.id, Backend.name)
                                      .order_by(Backend.name)).all()
        args = {k: request.args.get(k, "") for k in ("state", "backend", "kind", "model",
                                                       "record_id")}
        return self.render_template(
            "hub/jobs.html", jobs=jobs, errors=errors, args=args, states=STATES,
            backends=backends, next_before=next_before, badge=state_badge,
            may_retry=self._may("retry"), may_cancel=self._may("cancel"),
            retryable=RETRYABLE, cancellable=CANCELLABLE,
            here=request.full_path.rstrip("?")), (400 if errors else 200)

    @expose("/<int:pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        job = db.session.get(SyncJob, pk)
        if job is None:
            abort(404)
        return self.render_template(
            "hub/job_show.html", job=job, badge=state_badge, may_retry=self._may("retry"),
            may_cancel=self._may("cancel"), retryable=RETRYABLE, cancellable=CANCELLABLE,
            here=url_for("HubJobView.show", pk=pk))

    def _act(self, move, job_ids: list[int]) -> int:
        """Apply retry or cancel to each job; refusals become messages."""
        runtime = current_app.extensions["hub"]
        moved = 0
        for job_id in job_ids:
            try:
                move(db.session, runtime, job_id)
                moved += 1
            except JobActionRefused as exc:
                db.session.rollback()
                flash(str(exc), "danger")
        return moved

    @expose("/<int:pk>/retry", methods=["POST"])
    @has_access
    @permission_name("retry")
    def retry(self, pk):
        if self._act(retry, [pk]):
            flash(gettext("Job #%(id)s sent again.", id=pk), "success")
        return redirect(safe_next(url_for("HubJobView.show", pk=pk)))

    @expose("/<int:pk>/cancel", methods=["POST"])
    @has_access
    @permission_name("cancel")
    def cancel(self, pk):
        if self._act(cancel, [pk]):
            flash(gettext("Job #%(id)s cancelled.", id=pk), "success")
        return redirect(safe_next(url_for("HubJobView.show", pk=pk)))

    @expose("/<int:pk>/resolve", methods=["POST"])
    @has_access
    @permission_name("retry")
    def resolve(self, pk):
        """Bind the problem's record to one remote record, or create a new one."""
        action, external_id = request.form.get("action", ""), request.form.get("external_id", "")
        try:
            resolve(db.session, current_app.extensions["hub"], pk, action, external_id)
        except JobActionRefused as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        else:
            flash(gettext("Bound to remote record %(id)s; job #%(job)s runs again.",
                          id=external_id, job=pk) if action == "bind" else
                  gettext("A new remote record will be created; job #%(job)s runs again.",
                          job=pk), "success")
        return redirect(safe_next(url_for("HubJobView.show", pk=pk)))

    @expose("/retry", methods=["POST"])
    @has_access
    @permission_name("retry")
    def retry_selected(self):
        ids = sorted({int(v) for v in request.form.getlist("rowid") if v.isdigit()})
        if not ids:
            flash(gettext("No job selected."), "warning")
        else:
            moved = self._act(retry, ids)
            if moved:
                flash(gettext("%(count)s jobs sent again.", count=moved), "success")
        return redirect(safe_next(url_for("HubJobView.list")))


class BindingView(ModelView):
    """Which of our records is which record in which external system."""
    datamodel = SQLAInterface(Binding)
    route_base = "/hub/bindings"
    base_permissions = ["can_list", "can_show"]
    base_order = ("id", "desc")
    list_title = show_title = _l("Bindings")
    label_columns = {"backend": _l("Backend"), "model": _l("Model"),
                     "record_id": _l("Record id"), "external_id": _l("External id"),
                     "external_number": _l("External number"),
                     "remote_state": _l("Remote state"),
                     "remote_state_label": _l("Remote state (as the ERP says)"),
                     "synced_at": _l("Synced at"), "pulled_at": _l("Pulled at")}
    list_columns = ["backend", "model", "record_id", "external_id", "external_number",
                    "remote_state", "synced_at", "pulled_at"]
    show_columns = list_columns[:6] + ["remote_state_label", "synced_at", "pulled_at"]
    search_columns = ["backend", "model", "record_id", "external_id", "external_number",
                      "remote_state"]
