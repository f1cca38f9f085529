"""A select for an addon's enum column on another addon's form: extension
columns are nullable, but FAB's EnumField offers no empty choice, so a form
posted without one (or a browser's first option taken for a choice) would
either be refused or set a value nobody picked. This one starts empty and
stores None for it."""
from __future__ import annotations

from flask_appbuilder.fields import EnumField
from wtforms.fields.core import UnboundField


class OptionalEnumField(EnumField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = [("", "—"), *self.choices]

    def process_formdata(self, valuelist):
        if valuelist and valuelist[0] == "":
            self.data = None
        else:
            super().process_formdata(valuelist)

    def pre_validate(self, form):
        if self.data is not None:
            super().pre_validate(form)


def optional_choices(field: UnboundField) -> UnboundField:
    """`field` with an empty first choice if it is an EnumField."""
    if field.field_class is not EnumField:
        return field
    return UnboundField(OptionalEnumField, *field.args, **field.kwargs)
