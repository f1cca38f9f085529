"""What the company and person APIs share. Phones and e-mails are written
nested in their parent ({"phones": [{"kind": "mobile", "number": "..."}]}):
they have no API of their own (see models/contact_phone.py)."""
from __future__ import annotations

from core.api import CrossdockModelRestApi

from ..rules.field_error import ContactFieldError
from .custom_field_columns import CustomFieldApi
from .duplicate_check import DuplicateCheckApi
from .schema_checks import VALIDATORS

ADDRESS = ["street", "city", "province", "postal_code", "country_code"]
PLAIN = ["name", "website", "industry", "source", "notes", "active", *ADDRESS]
SHOWN = [*PLAIN, "tier.id", "tier.name", "tags.id", "tags.name", "owner.id",
         "owner.username", "team.id", "team.name", "phones.kind", "phones.number",
         "phones.e164", "emails.kind", "emails.email", "emails.normalised"]
WRITTEN = [*PLAIN, "tier", "tags", "owner", "team", "phones.kind", "phones.number",
           "emails.kind", "emails.email"]
SEARCHED = ["name", "city", "country_code", "industry", "source", "tier", "tags",
            "owner", "team", "active"]


class ContactApi(CustomFieldApi, DuplicateCheckApi, CrossdockModelRestApi):
    validators_columns = VALIDATORS
    base_order = ("name", "asc")  # stable pages; served by the (owner_id, name, id) index
    list_columns = ["id", "name", "city", "country_code", "tier.name", "owner.id",
                    "owner.username", "team.id", "active"]

    def _merge_update_item(self, model_item, data):
        """PUT changes what it sends. FAB fills the rest from the stored row,
        which fails on nested columns: phones and e-mails not sent stay as they are."""
        stored = self.edit_model_schema.dump(model_item, many=False)
        for column in self.edit_columns:
            if "." not in column and column not in data:
                data[column] = stored[column]
        return data

    def _field_error(self, exc: ContactFieldError):
        # nested phones/e-mails are built while the schema loads, where the
        # model's own check is the one that speaks: answer like a schema error
        self.datamodel.session.rollback()
        return self.response_422(message={exc.field: [exc.message]})

    def post_headless(self):
        try:
            return super().post_headless()
        except ContactFieldError as exc:
            return self._field_error(exc)

    def put_headless(self, pk):
        try:
            return super().put_headless(pk)
        except ContactFieldError as exc:
            return self._field_error(exc)
