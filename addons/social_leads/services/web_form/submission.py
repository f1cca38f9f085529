"""A web form's page token and its submission, up to the raw event.

`page_token(form, now) -> str`: the token a served page embeds.

`accept(session, form, token, values, *, language, address, page, now)
-> Accepted`: in the caller's transaction, in this order: the token must be
this form's, unaltered and fresh (`TokenRefused`: nothing written); a filled
honeypot is answered as a success and nothing is written; the address's rate
limit (`RateLimited`); the form's required fields and consent
(`SubmissionError` naming the field). Then the consent is stored with the
text shown, and the submission raw through `hub.receive` under the token's
submission id (a replayed POST is stored once), serialised per person by
its normalised e-mail or phone. The hub's job builds the lead later
(processing.py): the POST is answered at once.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from addons.contacts.rules.email_normalisation import normalise_email
from addons.contacts.rules.field_error import ContactFieldError
from addons.contacts.rules.phone_normalisation import normalise_phone
from connectors import hub

from ...models import Consent, WebForm
from ...models.web_form import FIELDS
from ...rules import form_token
from ...rules.form_token import TokenRefused  # noqa: F401  (the page catches it from here)
from ...rules.utm_parameters import utm_of
from .processing import WEB_FORM_INBOUND
from .rate_limit import over_limit

HONEYPOT = "website"  # a field people do not see; robots fill it
MAX_VALUE = {"name": 200, "company": 200, "email": 255, "phone": 64, "message": 4000}


class SubmissionError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


class RateLimited(Exception):
    """Too many POSTs from one address to one form."""


@dataclass(frozen=True)
class Accepted:
    stored: bool  # False: the honeypot was filled, or the submission was stored already
    submission_id: str


def _unix(moment: dt.datetime) -> int:
    return calendar.timegm(moment.timetuple())


def page_token(form: WebForm, now: dt.datetime) -> str:
    return form_token.issue(form.secret, form.id, _unix(now))


def _values(form: WebForm, values: dict) -> dict[str, str]:
    got = {}
    for field in FIELDS:
        value = (values.get(field) or "").strip() if form.shown(field) else ""
        if form.required(field) and not value:
            raise SubmissionError(field, gettext("this field is required"))
        if len(value) > MAX_VALUE[field]:
            raise SubmissionError(field, gettext("at most %(n)s characters", n=MAX_VALUE[field]))
        if value:
            got[field] = value
    if not got:
        raise SubmissionError("name", gettext("tell us at least how to reach you"))
    return got


def _serial_key(values: dict[str, str]) -> str | None:
    """The person's normalised e-mail, else phone: their submissions run in order."""
    for field, normalise in (("email", normalise_email), ("phone", normalise_phone)):
        if field in values:
            try:
                return normalise(values[field])
            except ContactFieldError:
                continue
    return None


def accept(session: Session, form: WebForm, token: str, values: dict, *, language: str,
           address: str, page: str | None, now: dt.datetime) -> Accepted:
    """See the module docstring."""
    checked = form_token.check(form.secret, form.id, token, _unix(now))
    if (values.get(HONEYPOT) or "").strip():
        return Accepted(False, checked.submission_id)
    if over_limit(session, form.id, address, now):
        raise RateLimited()
    got = _values(form, values)
    consent = form.consent_text(language)
    if consent and values.get("consent") != "yes":
        raise SubmissionError("consent", gettext("please agree to continue"))
    if session.scalar(select(Consent.id).where(Consent.submission_id == checked.submission_id)):
        return Accepted(False, checked.submission_id)  # this page was submitted already
    if consent:
        session.add(Consent(form_id=form.id, submission_id=checked.submission_id,
                            text=consent, language=language, given_at=now, address=address,
                            email=got.get("email"), phone=got.get("phone")))
    payload = {"form_id": form.id, "form": form.name, "campaign": form.campaign,
               "values": got, "utm": utm_of(values), "page": page, "language": language,
               "address": address, "submitted_at": now.isoformat(timespec="seconds")}
    hub.receive(session, WEB_FORM_INBOUND, checked.submission_id, payload,
                serial_key=_serial_key(got))
    return Accepted(True, checked.submission_id)
