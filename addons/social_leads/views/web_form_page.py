"""The web form's public page, `/social/form/<id>`: no login, framed by the
customer's site (the snippet, views/web_form_view.py).

GET serves the form in the visitor's language (?lang=zh|en, else the
browser's Accept-Language) with a fresh signed token and the UTM parameters
of the page it is embedded in (passed along by the snippet as ?page= and
utm_*, else read from the referrer). POST is CSRF-free by design: the signed
token is the proof (services/web_form/submission.py). Answers: the thank-you
page (stored, or a robot's honeypot: nothing stored), 400 with the form and
the field named, 403 for a forged, altered or expired token (logged, nothing
stored), 429 past the rate limit. An unknown or inactive form is 404.
"""
from __future__ import annotations

import logging

from flask import abort, request
from flask_appbuilder import BaseView, expose
from flask_babel import force_locale

from core.db import db
from core.user_time import utc_now

from ..models import WebForm
from ..models.web_form import FIELDS
from ..rules.utm_parameters import utm_of, utm_of_url
from ..services.web_form import submission

log = logging.getLogger(__name__)
LANGUAGES = ("zh", "en")
TEMPLATE = "social_leads/web_form_page.html"
# framed by any site the snippet is pasted in; everything else as on our other pages
FRAMED_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                 "img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                 "form-action 'self'; frame-ancestors *")


def language() -> str:
    asked = (request.values.get("lang") or "").lower()[:2]
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES, default="en")


def _address() -> str:
    return (request.remote_addr or "unknown")[:64]


class WebFormPage(BaseView):
    route_base = "/social/form"
    default_view = "page"

    def _form(self, form_id: int) -> WebForm:
        form = db.session.get(WebForm, form_id)
        if form is None or not form.active:
            abort(404)
        return form

    def _answer(self, form: WebForm, lang: str, status: int = 200, **context):
        with force_locale(lang):
            html = self.render_template(TEMPLATE, form=form, lang=lang, fields=FIELDS,
                                        consent=form.consent_text(lang),
                                        thanks=form.thanks_text(lang),
                                        honeypot=submission.HONEYPOT, **context)
        return html, status, {"Content-Security-Policy": FRAMED_POLICY}

    @expose("/<int:form_id>", methods=["GET"])
    def page(self, form_id: int):
        form = self._form(form_id)
        lang = language()
        page = request.args.get("page") or request.referrer
        utm = utm_of(request.args.to_dict()) or utm_of_url(page)
        return self._answer(form, lang, state="form", values={}, utm=utm, page=page or "",
                            token=submission.page_token(form, utc_now()), problem=None)

    @expose("/<int:form_id>", methods=["POST"])
    def submit(self, form_id: int):
        form = self._form(form_id)
        lang, values = language(), request.form.to_dict()
        page = (values.get("page") or "")[:2000] or None
        try:
            accepted = submission.accept(db.session, form, values.get("token", ""), values,
                                         language=lang, address=_address(), page=page,
                                         now=utc_now())
        except submission.TokenRefused as exc:
            db.session.rollback()
            log.warning("web form %s: refused a POST from %s: %s", form.id, _address(), exc)
            return self._answer(form, lang, 403, state="refused")
        except submission.RateLimited:
            db.session.commit()  # the hit counts
            return self._answer(form, lang, 429, state="limited")
        except submission.SubmissionError as exc:
            db.session.commit()  # the hit counts
            return self._answer(form, lang, 400, state="form", values=values,
                                utm=utm_of(values), page=page or "", token=values["token"],
                                problem=exc)
        db.session.commit()
        if accepted.stored:
            log.info("web form %s: submission %s stored", form.id, accepted.submission_id)
        return self._answer(form, lang, state="thanks")
