"""audit log: an erasure may blank personal data in `changes`

Revision ID: 0014_audit_erasure_marker
Revises: 0013_audit_model_id
Create Date: 2026-12-06

The log stays append-only, with one exception an erasure of a person's data
(PIPL art. 47, GDPR art. 17) needs: an UPDATE that leaves every column but
`changes` as it was and writes the erasure marker into it
(core/security/audit_redaction.py). Deletes are still refused.
"""
from alembic import op

revision = '0014_audit_erasure_marker'
down_revision = '0013_audit_model_id'
branch_labels = None
depends_on = None

MARKER = '"[erased]"'  # audit_redaction.ERASED as it reads inside the JSON text
KEPT = ("id", "at", "actor_id", "actor", "action", "model", "record_id", "request_id", "ip")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        same = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in KEPT)
        op.execute("DROP TRIGGER crossdock_audit_log_no_update")
        op.execute(
            "CREATE TRIGGER crossdock_audit_log_no_update "
            "BEFORE UPDATE ON crossdock_audit_log "
            f"WHEN NOT ({same} AND instr(NEW.changes, '{MARKER}') > 0) "
            "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END")
    else:
        new = ", ".join(f"NEW.{c}" for c in KEPT)
        old = ", ".join(f"OLD.{c}" for c in KEPT)
        op.execute(
            "CREATE OR REPLACE FUNCTION crossdock_audit_log_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP = 'UPDATE' AND ROW({new}) IS NOT DISTINCT FROM ROW({old}) "
            f"AND strpos(NEW.changes::text, '{MARKER}') > 0 THEN RETURN NEW; END IF; "
            "RAISE EXCEPTION 'audit log is append-only'; END $$")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER crossdock_audit_log_no_update")
        op.execute(
            "CREATE TRIGGER crossdock_audit_log_no_update "
            "BEFORE UPDATE ON crossdock_audit_log "
            "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END")
    else:
        op.execute(
            "CREATE OR REPLACE FUNCTION crossdock_audit_log_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'audit log is append-only'; END $$")
