"""Export CSV / Export XLSX on the Companies and People lists.

The export runs the list's own query: FAB's filters from the URL (the search
box included), the list's order and base filters, through the ORM so record
rules apply. The buttons sit above the list, in a template that extends
whichever list template the view has (so other list additions are kept).
"""
from __future__ import annotations

from flask import Response, abort, stream_with_context
from flask_appbuilder import expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_appbuilder.urltools import get_filter_args, get_order_args

from core.addons.model_extension import hidden_fields
from core.user_time import now

from ..models import Company
from ..services.contact_export import csv_chunks, export_table, xlsx_bytes

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _closing(session, chunks):
    """`chunks`, then `session` closed (its transaction ended, its connection back in
    the pool) when the stream ends or the client goes away: left to the garbage
    collector, the open transaction blocked DROP COLUMN on PostgreSQL."""
    try:
        yield from chunks
    finally:
        session.close()


class ContactExport:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.extra_args = {**(self.extra_args or {}),
                           "export_parent_template": self.list_template}
        self.list_template = "contacts/contact_list_export.html"

    def _export_query(self):
        get_filter_args(self._filters)
        filters = self._filters.get_joined_filters(self._base_filters)
        order_column, order_direction = get_order_args().get(self.__class__.__name__, ("", ""))
        if order_column in hidden_fields(self.datamodel.obj):  # its column may not exist
            order_column, order_direction = "", ""
        query = self.datamodel.session.query(self.datamodel.obj)
        return self.datamodel.apply_all(query, filters, order_column, order_direction)

    @expose("/export/<string:fmt>", methods=["GET"])
    @has_access
    @permission_name("list")  # exporting is reading the list
    def export(self, fmt):
        if fmt not in ("csv", "xlsx"):
            abort(404)
        kind = "company" if self.datamodel.obj is Company else "person"
        query = self._export_query()
        # the request's Session itself, not the scoped proxy: the stream reads
        # after the request's teardown, on that Session, and must close it
        session = query.session
        headers, rows = export_table(session, kind, query)
        stamp = now().strftime("%Y%m%d-%H%M")  # the reader's clock
        name = f"{'companies' if kind == 'company' else 'people'}-{stamp}.{fmt}"
        disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
        if fmt == "csv":
            return Response(stream_with_context(_closing(session, csv_chunks(headers, rows))),
                            mimetype="text/csv", headers=disposition)
        return Response(xlsx_bytes(headers, rows, title=name.split("-")[0]),
                        mimetype=XLSX_MIME, headers=disposition)
