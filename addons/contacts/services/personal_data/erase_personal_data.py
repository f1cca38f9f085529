"""Erase a person's data in every active addon (PIPL art. 47, GDPR art. 17),
all or nothing:

1. the person is read as the actor's record rules show it (`subject_of`:
   name, e-mails, phones as they were), an erased one is refused;
2. each active provider anonymises, deletes or keeps (a legal duty) what its
   addon holds, through the ORM, so each change is audited; the first that
   raises stops everything with its name and reason (`PersonalDataError`;
   the caller rolls back and nothing has changed);
3. the audit rows written before lose the erased values (audit_redaction.py),
   the rows themselves stay;
4. one `erase_personal_data` audit event says what each provider did.
The caller commits.
"""
from __future__ import annotations

from dataclasses import asdict

from flask_babel import force_locale
from sqlalchemy.orm import Session

from core.security.audit import record_event
from core.security.audit_redaction import blank_erased, erasure_start

from .contacts_data import placeholder_name
from .provider import Outcome, providers, subject_of
from .subject import PersonalDataError, load_person


def erase(session: Session, person_id: int) -> dict[str, list[Outcome]]:
    """{provider: what it did}; PersonalDataError when refused (nothing changed)."""
    person = load_person(session, person_id)
    if person.name == placeholder_name(person.id):
        raise PersonalDataError(f"person #{person_id} was erased already")
    subject = subject_of(person)
    since = erasure_start(session)
    done: dict[str, list[Outcome]] = {}
    identifiers: set[str] = set(subject.identifiers)
    for provider in providers():
        try:
            erased = provider.erase(session, subject)
            session.flush()
        except Exception as exc:  # any provider's trouble undoes the whole erasure
            raise PersonalDataError(f"{provider.name}: {exc}") from exc
        done[provider.name] = [_in_english(o) for o in erased.outcomes]
        identifiers |= erased.identifiers
    blanked = blank_erased(session, since, identifiers)
    record_event(session, "erase_personal_data", "Person", person_id, details={
        "providers": {name: [asdict(o) for o in outcomes] for name, outcomes in done.items()},
        "audit_rows_blanked": blanked})
    return done


def _in_english(outcome: Outcome) -> Outcome:
    """The reason as its msgid: the audit log keeps it, screens translate it."""
    with force_locale("en"):
        return Outcome(outcome.what, outcome.action, outcome.count, str(outcome.why))
