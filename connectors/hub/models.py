"""The hub's tables: backends, sync jobs (the record of truth), bindings,
inbound events and the scheduler's election lease. Created by the platform
migrations 0003_hub to 0009_hub_inbound_event; addons never import them
(they use `connectors.hub`'s functions).

Two rules live in unique indexes, not lookups (OCA queue_job's lesson):
- one live job per identity key (`ix_hub_job_identity_live`);
- one running job per serial key and backend (`ix_hub_job_record_running`),
  so jobs for the same record never run at once whatever the workers do
  (the key is the record, or wider: see enqueue.enqueue).
"""
from __future__ import annotations

import datetime as dt
import json

from flask_appbuilder import Model
from sqlalchemy import (Boolean, DateTime, ForeignKey, Index, Integer, String, Text,
                        UniqueConstraint, text)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.security.audit import exclude
from core.security.secrets import EncryptedText

PENDING, QUEUED, RUNNING, DONE, FAILED, CANCELLED = (
    "pending", "queued", "running", "done", "failed", "cancelled")
STATES = (PENDING, QUEUED, RUNNING, DONE, FAILED, CANCELLED)
LIVE_STATES = (PENDING, QUEUED, RUNNING, FAILED)  # an identity key is taken while live
WAITING_STATES = (PENDING, QUEUED, RUNNING)  # jobs later ones for the same record wait on

_LIVE_SQL = "state IN ('pending', 'queued', 'running', 'failed')"
_RUNNING_SQL = "state = 'running'"


def utcnow() -> dt.datetime:
    """Naive UTC, as every timestamp column here stores it."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Backend(Model):
    """An external system an admin registered (an ERP, for now)."""
    __tablename__ = "hub_backend"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(32))  # connectors.backend_kinds.KINDS
    url: Mapped[str] = mapped_column(String(500))
    database: Mapped[str | None] = mapped_column(String(128))
    username: Mapped[str | None] = mapped_column(String(128))
    secret: Mapped[str | None] = mapped_column(EncryptedText())  # password / API key
    options_json: Mapped[str | None] = mapped_column(Text)  # JSON object
    active: Mapped[bool] = mapped_column(Boolean, default=True, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def options(self) -> dict:
        return json.loads(self.options_json) if self.options_json else {}

    def __repr__(self) -> str:
        return self.name


class SyncJob(Model):
    __tablename__ = "hub_job"
    __table_args__ = (
        Index("ix_hub_job_identity_live", "identity_key", unique=True,
              sqlite_where=text(_LIVE_SQL), postgresql_where=text(_LIVE_SQL)),
        Index("ix_hub_job_record_running", "record_key", unique=True,
              sqlite_where=text(_RUNNING_SQL), postgresql_where=text(_RUNNING_SQL)),
        Index("ix_hub_job_record", "record_key", "id"),
        Index("ix_hub_job_state_next", "state", "next_attempt_at"),
        Index("ix_hub_job_model_record", "model", "record_id"),
        Index("ix_hub_job_finished", "finished_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))  # the registered handler, e.g. "sales.order.push"
    backend_id: Mapped[int | None] = mapped_column(ForeignKey("hub_backend.id"), index=True)
    model: Mapped[str] = mapped_column(String(64))  # e.g. "sales.order"
    record_id: Mapped[int] = mapped_column(Integer)
    record_key: Mapped[str] = mapped_column(String(200))  # backend:serial key (default model:id)
    identity_key: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(16), default=PENDING, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    lease_token: Mapped[str | None] = mapped_column(String(64))
    # host:pid:start time of the process that claimed it (process_identity.py)
    lease_holder: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # last handed to the broker
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # first claim
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)  # what was done, in words
    remote_ref: Mapped[str | None] = mapped_column(String(128))
    # JSON object: what a failure left for a person to act on ("problem", e.g.
    # the customer records that collide) and what a person decided on a retry
    # ("decision", read by the handler's prepare)
    details_json: Mapped[str | None] = mapped_column(Text)

    backend = relationship(Backend, lazy="joined")

    @property
    def details(self) -> dict:
        return json.loads(self.details_json) if self.details_json else {}

    @property
    def problem(self) -> dict:
        return self.details.get("problem") or {}

    def __repr__(self) -> str:
        return f"job #{self.id} {self.kind} {self.model}:{self.record_id} ({self.state})"


class Binding(Model):
    """(backend, model, local id) <-> external id, unique both ways.

    `attention` says why a person should look at the pair although the sync
    itself worked (e.g. "totals_differ": the ERP computed other amounts than
    ours), with the figures in `details_json`; the sync dashboard lists them."""
    __tablename__ = "hub_binding"
    __table_args__ = (
        UniqueConstraint("backend_id", "model", "record_id", name="uq_hub_binding_local"),
        UniqueConstraint("backend_id", "model", "external_id", name="uq_hub_binding_external"),
        Index("ix_hub_binding_attention", "attention"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    backend_id: Mapped[int] = mapped_column(ForeignKey("hub_backend.id"))
    model: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[int] = mapped_column(Integer)
    external_id: Mapped[str] = mapped_column(String(128))
    external_number: Mapped[str | None] = mapped_column(String(128))  # what people see in the ERP
    remote_state: Mapped[str | None] = mapped_column(String(32))  # normalised
    remote_state_label: Mapped[str | None] = mapped_column(String(64))  # the ERP's own word
    synced_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    pulled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    attention: Mapped[str | None] = mapped_column(String(32))
    details_json: Mapped[str | None] = mapped_column(Text)

    backend = relationship(Backend, lazy="joined")

    @property
    def details(self) -> dict:
        return json.loads(self.details_json) if self.details_json else {}

    def __repr__(self) -> str:
        return f"{self.backend}: {self.external_number or self.external_id}"


class EventCount(Model):
    """How often something happened to jobs, per backend, for /metrics:
    retries, lease expiries, re-sends, recoveries of a dead process's claims.
    One row per (event, backend), added to in the transaction that does it, so
    every process counts in one place and a restart loses nothing."""
    __tablename__ = "hub_event_count"

    event: Mapped[str] = mapped_column(String(32), primary_key=True)
    backend_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(Integer, default=0, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class InboundEvent(Model):
    """An event a remote sent us (hub.receive), kept raw as it came: one row
    per (source, external id), so a second delivery of it is a no-op. The job
    of kind "inbound.<source>" whose record is this row processes it."""
    __tablename__ = "hub_inbound_event"
    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_hub_inbound_event_source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(56))  # the job kind is "inbound.<source>"
    external_id: Mapped[str] = mapped_column(String(200))  # the sender's id of the event
    payload: Mapped[str] = mapped_column(Text)  # the raw body, as received
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    def json(self):
        """The payload parsed as JSON (for senders that send JSON)."""
        return json.loads(self.payload)

    def __repr__(self) -> str:
        return f"event {self.source}:{self.external_id}"


class SchedulerLease(Model):
    """Which process is the scheduler, until when (renewed while alive)."""
    __tablename__ = "hub_scheduler_lease"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)


# job rows change state by conditional UPDATEs many times; their history is the
# job row itself (attempts, last error, result); manual retry/cancel are audited
# as events. Bindings are written only by jobs (read-only on screen): the job
# that wrote one is their history.
exclude("SyncJob")
exclude("Binding")
exclude("SchedulerLease")
exclude("EventCount")
exclude("InboundEvent")  # written once, never changed: the row is its own history
