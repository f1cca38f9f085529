"""Secrets at rest: Fernet round trip, key rotation, wrong keys, the EncryptedText column."""
from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Integer, create_engine, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from core.security import secrets
from core.security.audit import MASKED, AuditLog
from core.security.secrets import EncryptedText, SecretError

PLAIN = "connector password: 密码是秘密 ✓"


@pytest.fixture(autouse=True)
def keep_configuration():
    """configure() sets module state: leave it as the tests found it."""
    saved = secrets._box
    yield
    secrets._box = saved


def test_round_trip_keeps_unicode_and_hides_the_text():
    secrets.configure((Fernet.generate_key().decode(),), "unused")
    token = secrets.encrypt(PLAIN)
    assert token != PLAIN and "密码" not in token and "password" not in token
    assert secrets.decrypt(token) == PLAIN
    assert secrets.encrypt(PLAIN) != token  # random IV: equal secrets do not look equal


def test_key_derived_from_secret_key_when_none_configured():
    secrets.configure((), "app-secret-one")
    token = secrets.encrypt(PLAIN)
    assert secrets.decrypt(token) == PLAIN
    secrets.configure((), "app-secret-two")
    with pytest.raises(SecretError):
        secrets.decrypt(token)


def test_rotation_old_data_still_decrypts_with_new_key_first():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    secrets.configure((old,), "unused")
    old_token = secrets.encrypt(PLAIN)

    secrets.configure((new, old), "unused")
    assert secrets.decrypt(old_token) == PLAIN
    new_token = secrets.encrypt("fresh 新")
    # new data is encrypted with the first key: it no longer needs the old one
    secrets.configure((new,), "unused")
    assert secrets.decrypt(new_token) == "fresh 新"
    with pytest.raises(SecretError):
        secrets.decrypt(old_token)


def test_wrong_key_or_damaged_token_raises_secret_error():
    secrets.configure((Fernet.generate_key().decode(),), "unused")
    token = secrets.encrypt(PLAIN)
    secrets.configure((Fernet.generate_key().decode(),), "unused")
    with pytest.raises(SecretError, match="cannot be decrypted"):
        secrets.decrypt(token)
    with pytest.raises(SecretError):
        secrets.decrypt("not-a-token")


def test_invalid_key_and_missing_configuration_are_clear_errors():
    with pytest.raises(SecretError, match="invalid Fernet key"):
        secrets.configure(("too-short",), "unused")
    secrets._box = None
    with pytest.raises(SecretError, match="not configured"):
        secrets.encrypt(PLAIN)


class Base(DeclarativeBase):
    pass


class Credential(Base):
    __tablename__ = "credential"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    password: Mapped[str | None] = mapped_column(EncryptedText)


def test_encrypted_text_stores_ciphertext_and_reads_plain_text():
    secrets.configure((Fernet.generate_key().decode(),), "unused")
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    AuditLog.__table__.create(engine)  # every session's changes are audited
    with Session(engine) as session:
        session.add_all([Credential(id=1, password=PLAIN), Credential(id=2, password=None)])
        session.commit()

    with engine.connect() as conn:
        raw = dict(conn.execute(text("SELECT id, password FROM credential")).all())
    assert raw[1] != PLAIN and "密码" not in raw[1]
    assert secrets.decrypt(raw[1]) == PLAIN
    assert raw[2] is None

    with engine.connect() as conn:
        logged = conn.execute(text("SELECT changes FROM crossdock_audit_log "
                                   "WHERE model = 'Credential' AND record_id = '1'")).scalar()
    # the audit log records that the secret was set, never the secret
    assert "connector password" not in logged and "\\u5bc6" not in logged
    assert json.loads(logged)["password"] == [None, MASKED]

    with Session(engine) as session:
        assert session.get(Credential, 1).password == PLAIN
        assert session.scalars(select(Credential.password).where(Credential.id == 2)
                               ).one() is None
    engine.dispose()
