"""FAB's generated OpenAPI, corrected to what `CrossdockModelRestApi` answers.

FAB documents ids as strings (they are integers), `_info`'s columns as an
object (a list), decimals as numbers (they are text) with a range apispec
writes as a string (an invalid schema); schemathesis found each one. The
corrections are made where the spec is built, so the spec served at
/api/v1/_openapi is the one clients and the fuzz test read.
"""
from __future__ import annotations

FIELD_INFO = {
    "type": "object", "required": ["name", "type", "required"],
    "properties": {
        "name": {"type": "string"}, "label": {"type": "string"},
        "description": {"type": "string"},
        "type": {"type": "string", "description": "the marshmallow field class"},
        "required": {"type": "boolean"}, "unique": {"type": "boolean"},
        "validate": {"type": "array", "items": {"type": "string"}},
        "count": {"type": "integer", "description": "related fields: how many rows"},
        "values": {"type": "array", "description": "related fields: one page of rows",
                   "items": {"type": "object", "properties": {"id": {},
                                                              "value": {"type": "string"}}}},
    },
}
INFO_SCHEMA = {
    "type": "object",
    "properties": {
        "add_columns": {"type": "array", "items": FIELD_INFO},
        "edit_columns": {"type": "array", "items": FIELD_INFO},
        "add_title": {"type": "string"}, "edit_title": {"type": "string"},
        "filters": {"type": "object", "description": "operators per filterable column",
                    "additionalProperties": {"type": "array", "items": {
                        "type": "object", "properties": {"name": {"type": "string"},
                                                         "operator": {"type": "string"}}}}},
        "permissions": {"type": "array", "items": {"type": "string"}},
    },
}
_RANGE = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


def _decimal(prop: dict) -> None:
    """A decimal property: text, its bounds in words (JSON Schema bounds numbers only)."""
    bounds = [f"{k} {prop.pop(k)}" for k in _RANGE if k in prop]
    for key in [k for k in prop if k.startswith("x-") and k[2:] in _RANGE]:
        bounds.append(f"{key[2:]} {prop.pop(key)}")
    text = "a decimal as text, e.g. \"12.50\" (a JSON number is accepted too)"
    if bounds:
        text += "; " + ", ".join(bounds)
    prop["description"] = text


def fix_component(schema: dict) -> None:
    """Decimal properties of one component schema (in place)."""
    for prop in (schema.get("properties") or {}).values():
        if isinstance(prop, dict) and prop.get("format") == "decimal":
            _decimal(prop)


def _props(response: dict) -> dict:
    schema = (response.get("content", {}).get("application/json", {}).get("schema") or {})
    return schema.get("properties") or {}


def fix_operation(func_name: str, method: str, spec: dict, id_type: dict) -> None:
    """The 2xx answers of one of FAB's CRUD operations (in place)."""
    for code, response in spec.get("responses", {}).items():
        if not str(code).startswith("2") or "$ref" in response:
            continue
        props = _props(response)
        if func_name == "info":
            response["content"]["application/json"]["schema"] = INFO_SCHEMA
            continue
        if id_type and "id" in props:
            props["id"] = {**id_type}
        if id_type and isinstance(props.get("ids"), dict):
            props["ids"] = {**props["ids"], "items": {**id_type}}
        if isinstance(props.get("count"), dict):
            props["count"] = {**props["count"], "type": "integer"}
