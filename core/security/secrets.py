"""Secrets encrypted at rest (connector passwords, API keys).

Fernet (AES-128-CBC + HMAC-SHA256) from `cryptography`. Keys come from
CROSSDOCK_SECRETS_KEYS (comma-separated Fernet keys, newest first, so keys
can be rotated); without it a key is derived from the app's secret key, so an
embedded install is encrypted too. `EncryptedText` is the column type.
"""
from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator


class SecretError(ValueError):
    """A stored secret cannot be decrypted with the configured keys."""


_box: MultiFernet | None = None


def derive_key(secret_key: str) -> str:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"crossdock-secrets",
               info=b"fernet").derive(secret_key.encode())
    return base64.urlsafe_b64encode(raw).decode()


def key_ring(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    """The instance's keys: CROSSDOCK_SECRETS_KEYS (newest first), else one derived
    from the secret key. Backups are encrypted with it too (core/backup)."""
    try:
        fernets = [Fernet(k) for k in (keys or (derive_key(secret_key),))]
    except ValueError as exc:
        raise SecretError(f"CROSSDOCK_SECRETS_KEYS holds an invalid Fernet key: {exc}") from None
    return MultiFernet(fernets)


def configure(keys: tuple[str, ...], secret_key: str) -> None:
    global _box
    _box = key_ring(keys, secret_key)


def configured_ring() -> MultiFernet:
    if _box is None:
        raise SecretError("secrets are not configured (create_app not called)")
    return _box


def encrypt(plain: str) -> str:
    if _box is None:
        raise SecretError("secrets are not configured (create_app not called)")
    return _box.encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    if _box is None:
        raise SecretError("secrets are not configured (create_app not called)")
    try:
        return _box.decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken:
        raise SecretError("stored secret cannot be decrypted with the configured keys") from None


class EncryptedText(TypeDecorator):
    """A text column stored encrypted; reads give back the plain text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else decrypt(value)
