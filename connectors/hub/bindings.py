"""Writing bindings: a job's outcome (execution.py) and an addon's pull that
makes records from what a remote holds (`hub.bind`, e.g. the invoices an ERP
made for a synced order), one statement per binding."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .handlers import Bind
from .models import Binding, utcnow


def bind(session: Session, backend_id: int, *binds: Bind) -> None:
    """Write `binds` in the caller's transaction. An external id already bound
    to another of our records raises IntegrityError: look it up first
    (`records_bound`)."""
    now = utcnow()
    for one in binds:
        write_binding(session, backend_id, one, now)


def write_binding(session: Session, backend_id: int, bind: Bind, now: dt.datetime) -> None:
    """Insert or update the record's binding in one statement (INSERT ... ON
    CONFLICT on the local side, so two jobs binding one record at once both
    succeed). An external id already bound to another of our records breaks
    the other unique constraint: IntegrityError, and the job fails saying so."""
    values = {"external_id": bind.external_id, "synced_at": now}
    if bind.external_number is not None:
        values["external_number"] = bind.external_number
    if bind.remote_state is not None:
        values.update(remote_state=bind.remote_state, remote_state_label=bind.remote_state_label)
    if bind.attention is not None:
        values.update(attention=bind.attention or None,
                      details_json=json.dumps(bind.details, ensure_ascii=False)
                      if bind.attention and bind.details else None)
    insert = _INSERTS[session.get_bind().dialect.name](Binding).values(
        backend_id=backend_id, model=bind.model, record_id=bind.record_id, **values)
    session.execute(insert.on_conflict_do_update(
        index_elements=[Binding.backend_id, Binding.model, Binding.record_id], set_=values))


_INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}
