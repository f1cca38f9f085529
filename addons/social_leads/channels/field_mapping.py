"""A lead form's answers to lead fields, per form, from the backend's options:

    {"forms": {"<form id>": {"<question>": "email", "<question>": "company"}}}

A question is Meta's field name ("full_name", "work_email") or LinkedIn's
questionId ("3"); a target is one of LEAD_FIELDS. Meta's standard question
names map without settings (META_DEFAULTS); answers no question maps go to
the lead's `extra` as asked. Pure: no session, no I/O.
"""
from __future__ import annotations

from connectors.errors import PermanentError

LEAD_FIELDS = ("name", "company", "email", "phone", "message", "country")
META_DEFAULTS = {"full_name": "name", "first_name": "name", "last_name": "name",
                 "email": "email", "work_email": "email", "phone_number": "phone",
                 "work_phone_number": "phone", "company_name": "company", "country": "country"}


def form_mapping(options: dict, form_id: str, defaults: dict[str, str] | None = None
                 ) -> dict[str, str]:
    """The question -> lead field map of one form; PermanentError naming the
    form and question when a target is not a lead field (fix the settings,
    then retry: the event is kept)."""
    own = ((options.get("forms") or {}).get(form_id) or {})
    if not isinstance(own, dict):
        raise PermanentError(f"options.forms[{form_id!r}]: expected an object of "
                             "question -> lead field")
    mapping = {**(defaults or {}), **{str(q): str(t) for q, t in own.items()}}
    for question, target in mapping.items():
        if target not in LEAD_FIELDS:
            raise PermanentError(f"form {form_id}: question {question!r} maps to {target!r}, "
                                 f"not a lead field ({', '.join(LEAD_FIELDS)})")
    return mapping


def lead_values(mapping: dict[str, str], answers: dict[str, str]) -> tuple[dict, dict]:
    """(IncomingLead keyword values, extra): answers of one target joined in
    the form's order (first and last name -> name), `country` given as the
    ISO code it should be (kept in extra otherwise)."""
    joined: dict[str, list[str]] = {}
    extra: dict[str, str] = {}
    for question, answer in answers.items():
        target = mapping.get(question)
        if not answer:
            continue
        if target:
            joined.setdefault(target, []).append(answer)
        else:
            extra[question] = answer
    values = {target: " ".join(parts) for target, parts in joined.items()}
    country = values.pop("country", None)
    if country:
        if len(country) == 2 and country.isascii() and country.isalpha():
            values["country_code"] = country.upper()
        else:
            extra["country"] = country
    return values, extra
