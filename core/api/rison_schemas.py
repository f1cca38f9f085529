"""FAB's `@rison` argument check without re-checking the schema every request.

FAB validates each rison `q` with `jsonschema.validate(instance, schema)`,
which first validates the schema itself against the JSON Schema metaschema:
~7 ms of CPU per list, show or `_info` request, for schemas that never change.
`use_compiled_schemas()` points the name `jsonschema` inside
`flask_appbuilder.api` at this module's stand-in, which builds one validator
per schema and raises the same error `jsonschema.validate` would.
"""
from __future__ import annotations

import flask_appbuilder.api as fab_api
import jsonschema
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for


class _CompiledSchemas:
    ValidationError = jsonschema.ValidationError

    def __init__(self) -> None:
        self._validators: dict[int, tuple[dict, object]] = {}

    def validate(self, instance, schema) -> None:
        cached = self._validators.get(id(schema))
        if cached is None or cached[0] is not schema:  # the schema kept: no id reuse
            cached = (schema, validator_for(schema)(schema))
            self._validators[id(schema)] = cached
        error = best_match(cached[1].iter_errors(instance))
        if error is not None:
            raise error


def use_compiled_schemas() -> None:
    if not isinstance(fab_api.jsonschema, _CompiledSchemas):
        fab_api.jsonschema = _CompiledSchemas()
