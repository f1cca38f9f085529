"""Which person an export or erasure is about, read as the actor's record
rules show it; the one refusal both commands share."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Person


class PersonalDataError(Exception):
    """A refused export or erasure: nothing was changed; `message` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def load_person(session: Session, person_id: int) -> Person:
    person = session.scalars(select(Person).where(Person.id == person_id)).first()
    if person is None:
        raise PersonalDataError(f"person #{person_id} does not exist or is not visible to you")
    return person
