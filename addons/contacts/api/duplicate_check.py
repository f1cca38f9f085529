"""Duplicate checks on REST POST/PUT of companies and people.

Policy "block": an e-mail, phone or tax id another contact already holds is
answered 409 `{"message": ..., "duplicates": [...]}` and nothing is saved.
Policy "warn": the contact is saved, and the 201/200 answer carries
`"duplicates"` (exact matches) and `"likely_duplicates"` (similar names in the
same company or e-mail domain) for the client to show. A match the caller
may not read comes without its id (name and owner only).
"""
from __future__ import annotations

from flask import request

from core.db import db

from ..services.duplicates.check import ContactKeys, as_json, exact_duplicates, likely_duplicates
from ..services.duplicates.policy import BLOCK, current_policy


def _keys_in(body) -> ContactKeys:
    keys = ContactKeys()
    if not isinstance(body, dict):
        return keys
    keys.add("tax_id", body.get("tax_id") if isinstance(body.get("tax_id"), str) else None)
    for key_type, nested, column in (("email", "emails", "email"), ("phone", "phones", "number")):
        rows = body.get(nested)
        for row in rows if isinstance(rows, list) else ():
            if isinstance(row, dict) and isinstance(row.get(column), str):
                keys.add(key_type, row[column])
    return keys


class DuplicateCheckApi:
    """Put before CrossdockModelRestApi in a contact API's bases."""

    def _duplicate_kind(self) -> str:
        return "company" if self.datamodel.obj.__tablename__ == "contacts_company" else "person"

    def _checked_save(self, save, contact_id):
        kind = self._duplicate_kind()
        body = request.get_json(silent=True)
        matches = exact_duplicates(db.session, kind, _keys_in(body), contact_id)
        if matches and current_policy(db.session) == BLOCK:
            return self.response(409, message="Another contact already holds one of these "
                                 "e-mails, phones or tax IDs",
                                 duplicates=[as_json(m) for m in matches])
        response = save()
        if response.status_code in (200, 201) and response.is_json:
            answer = response.get_json()
            saved_id = answer.get("id", contact_id)
            contact = db.session.get(self.datamodel.obj, saved_id) if saved_id else None
            likely = likely_duplicates(db.session, kind, contact) if contact else []
            answer["duplicates"] = [as_json(m) for m in matches]
            answer["likely_duplicates"] = [as_json(m) for m in likely]
            response.set_data(self.response(response.status_code, **answer).get_data())
        return response

    def post_headless(self):
        return self._checked_save(super().post_headless, None)

    def put_headless(self, pk):
        save = super().put_headless
        contact_id = self._parse_pk(pk)
        if not isinstance(contact_id, int) or self.datamodel.get(contact_id) is None:
            return save(pk)  # FAB answers the unknown or hidden row (404)
        return self._checked_save(lambda: save(pk), contact_id)
