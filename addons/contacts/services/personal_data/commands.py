"""`crossdock contacts export-personal-data PERSON_ID [--output FILE]` and
`crossdock contacts erase-personal-data PERSON_ID [--yes]`, run as the system
under the operator's login name (the audit log's actor)."""
from __future__ import annotations

import os
import pwd
import sys
from pathlib import Path

import click

from core.db import db
from core.security.actor import Actor, acting_as

from .erase_personal_data import erase
from .export_personal_data import export_zip
from .provider import KEPT, providers
from .subject import PersonalDataError, load_person


def _operator() -> Actor:
    return Actor(None, f"system ({pwd.getpwuid(os.getuid()).pw_name})", is_system=True)


def _refuse(message: str) -> None:
    db.session.rollback()
    click.echo(f"error: {message}; nothing was changed", err=True)
    sys.exit(2)


@click.command("export-personal-data")
@click.argument("person_id", type=int)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="The ZIP to write (default: personal-data-person-<id>.zip here).")
def export_command(person_id: int, output: Path | None) -> None:
    """Export everything stored about a person as a ZIP (PIPL art. 45, GDPR art. 15)."""
    with acting_as(_operator()):
        try:
            name, data = export_zip(db.session, person_id)
        except PersonalDataError as exc:
            _refuse(exc.message)
        path = output or Path(name)
        path.write_bytes(data)
        db.session.commit()  # the audit event, once the file is written
    click.echo(f"written: {path} ({len(data)} bytes)")


@click.command("erase-personal-data")
@click.argument("person_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_command(person_id: int, yes: bool) -> None:
    """Erase a person's data in every active addon, in one transaction
    (PIPL art. 47, GDPR art. 17); what the law keeps is kept and said."""
    with acting_as(_operator()):
        try:
            person = load_person(db.session, person_id)
        except PersonalDataError as exc:
            _refuse(exc.message)
        click.echo(f"will erase the personal data of person #{person.id} ({person.name}) in: "
                   + ", ".join(p.name for p in providers()))
        if not yes and not click.confirm("Proceed? This cannot be undone", default=False):
            _refuse("cancelled")
        try:
            done = erase(db.session, person_id)
        except PersonalDataError as exc:
            _refuse(exc.message)
        db.session.commit()
    for name, outcomes in done.items():
        for o in outcomes:
            why = f" ({o.why})" if o.action == KEPT and o.why else ""
            click.echo(f"{name}: {o.what}: {o.action} {o.count}{why}")
    click.echo(f"person #{person_id} erased")
