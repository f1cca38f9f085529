"""The import screens: upload -> column mapping -> preview (errors, duplicates and
a policy for each) -> commit -> result, plus the error report and the
migration report (every row's outcome, kept with the batch) downloads.

Thin: every step is a service (services/imports/); the batch (file,
mapping, policies, preview) lives in the database, so each step may be served
by another web process. Every change is a POST with the CSRF token.
"""
from __future__ import annotations

import codecs

from flask import Response, abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from core.db import db

from ..models import ContactImportBatch
from ..models.import_batch import COMMITTED
from ..services.imports.batches import (apply_mapping, read_batch_table, refresh_preview,
                                        start_import)
from ..services.imports.commit import ImportRejected, commit_import
from ..services.imports.error_report import error_report_csv, migration_report_csv
from ..services.imports.mapping import KINDS, ImportMappingError, targets_for
from ..services.imports.preview import POLICIES, parse_policies
from ..services.imports.reading import ENCODINGS, ImportFileError, configured_limits

PREVIEW_ROWS_SHOWN = 200  # the error report has them all
POLICY_LABELS = {"skip": _l("Skip"), "update": _l("Update the existing contact"),
                 "create": _l("Create anyway")}


class ContactImportView(BaseView):
    route_base = "/contactimport"
    default_view = "upload_form"
    # ties the screens to ContactImportBatch's rows in security/access.csv
    datamodel = SQLAInterface(ContactImportBatch)
    method_permission_name = {name: "add" for name in (
        "upload_form", "upload", "mapping_form", "mapping", "preview_form", "preview",
        "commit", "result", "error_report")}

    def _batch(self, batch_id: int) -> ContactImportBatch:
        batch = db.session.get(ContactImportBatch, batch_id)  # record rules: own batches only
        if batch is None:
            abort(404)
        return batch

    def _upload_page(self, error: str | None = None, status: int = 200):
        return self.render_template(
            "contacts/import_upload.html", kinds=KINDS, encodings=list(ENCODINGS),
            error=error, max_rows=configured_limits()[0]), status

    @expose("/", methods=["GET"])
    @has_access
    def upload_form(self):
        return self._upload_page()

    @expose("/upload", methods=["POST"])
    @has_access
    def upload(self):
        max_bytes = configured_limits()[1]
        if (request.content_length or 0) > max_bytes + 65536:  # before the body is parsed
            return self._upload_page(_("The file is larger than %(mb)s MB, the most one "
                                       "import accepts.", mb=f"{max_bytes / 1048576:.3g}"), 413)
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return self._upload_page(_("Choose a file to import."), 400)
        data = upload.stream.read(max_bytes + 1)
        try:
            batch = start_import(db.session, request.form.get("kind", ""), upload.filename,
                                 data, request.form.get("encoding") or None,
                                 (request.form.get("source_system") or "").strip() or None)
            db.session.commit()
        except ImportFileError as exc:
            db.session.rollback()
            return self._upload_page(_("The file cannot be imported: %(why)s", why=str(exc)), 400)
        return redirect(url_for(".mapping_form", batch_id=batch.id))

    def _mapping_page(self, batch, mapping, error=None, status=200):
        table = read_batch_table(batch)
        samples = [[cells[i] if i < len(cells) else "" for _n, cells in table.rows[:3]]
                   for i in range(len(batch.headers))]
        return self.render_template(
            "contacts/import_mapping.html", batch=batch, headers=batch.headers,
            mapping=mapping, samples=samples, targets=targets_for(db.session, batch.kind),
            rows=len(table.rows), error=error), status

    @expose("/<int:batch_id>/mapping", methods=["GET"])
    @has_access
    def mapping_form(self, batch_id):
        batch = self._batch(batch_id)
        if batch.status == COMMITTED:
            return redirect(url_for(".result", batch_id=batch.id))
        return self._mapping_page(batch, batch.mapping)

    @expose("/<int:batch_id>/mapping", methods=["POST"])
    @has_access
    def mapping(self, batch_id):
        batch = self._batch(batch_id)
        if batch.status == COMMITTED:
            return redirect(url_for(".result", batch_id=batch.id))
        mapping = [request.form.get(f"column-{i}") or None for i in range(len(batch.headers))]
        try:
            apply_mapping(db.session, batch, mapping)
            db.session.commit()
        except (ImportMappingError, ImportFileError) as exc:
            db.session.rollback()
            return self._mapping_page(self._batch(batch_id), mapping, str(exc), 400)
        return redirect(url_for(".preview_form", batch_id=batch.id))

    @expose("/<int:batch_id>/preview", methods=["GET"])
    @has_access
    def preview_form(self, batch_id):
        batch = self._batch(batch_id)
        if batch.status == COMMITTED:
            return redirect(url_for(".result", batch_id=batch.id))
        if not batch.summary:
            return redirect(url_for(".mapping_form", batch_id=batch.id))
        errors = sorted(batch.summary["errors"].items(), key=lambda kv: int(kv[0]))
        return self.render_template(
            "contacts/import_preview.html", batch=batch, counts=batch.summary["counts"],
            errors=errors[:PREVIEW_ROWS_SHOWN], more_errors=max(0, len(errors) - PREVIEW_ROWS_SHOWN),
            duplicates=batch.summary["duplicates"], policies=POLICIES,
            policy_labels=POLICY_LABELS)

    def _policies(self, batch):
        return parse_policies(request.form, (batch.summary or {}).get("duplicates", {}))

    @expose("/<int:batch_id>/preview", methods=["POST"])
    @has_access
    def preview(self, batch_id):
        batch = self._batch(batch_id)
        if batch.status == COMMITTED or not batch.mapping:
            return redirect(url_for(".mapping_form", batch_id=batch.id))
        try:
            refresh_preview(db.session, batch, self._policies(batch))
            db.session.commit()
        except ImportFileError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        return redirect(url_for(".preview_form", batch_id=batch.id))

    @expose("/<int:batch_id>/commit", methods=["POST"])
    @has_access
    def commit(self, batch_id):
        batch = self._batch(batch_id)
        try:
            counts = commit_import(db.session, batch.id, policies=self._policies(batch),
                                   reject_invalid=bool(request.form.get("reject_invalid")))
        except (ImportRejected, ImportFileError) as exc:
            db.session.rollback()
            flash(str(exc), "danger")
            return redirect(url_for(".preview_form", batch_id=batch_id))
        flash(_("Imported: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
                "%(skipped)s skipped, %(rejected)s rejected.", **counts), "success")
        return redirect(url_for(".result", batch_id=batch_id))

    @expose("/<int:batch_id>/result", methods=["GET"])
    @has_access
    def result(self, batch_id):
        batch = self._batch(batch_id)
        if batch.status != COMMITTED:
            return redirect(url_for(".preview_form", batch_id=batch.id))
        return self.render_template("contacts/import_result.html", batch=batch,
                                    result=batch.summary.get("result", {}))

    @expose("/<int:batch_id>/report.csv", methods=["GET"])
    @has_access
    def migration_report(self, batch_id):
        batch = self._batch(batch_id)
        if not batch.report:
            abort(404)
        text = migration_report_csv(read_batch_table(batch), batch.report)
        name = f"import-{batch.id}-report.csv"
        return Response(codecs.BOM_UTF8 + text.encode("utf-8"), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @expose("/<int:batch_id>/errors.csv", methods=["GET"])
    @has_access
    def error_report(self, batch_id):
        batch = self._batch(batch_id)
        table = read_batch_table(batch)
        text = error_report_csv(table.headers, table.rows, (batch.summary or {}).get("errors", {}))
        name = f"import-{batch.id}-errors.csv"
        return Response(codecs.BOM_UTF8 + text.encode("utf-8"), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
