"""The backup file: a readable header, a sealed part, the payload in encrypted chunks.

    CROSSDOCK-BACKUP 1\\n
    {header JSON: format, created_at, database, revisions, addons, payload sha256/size...}\\n
    <seal: a Fernet token of {header_sha256, backup_id, secret_key}>\\n
    chunks: 4-byte big-endian length + a Fernet token's raw bytes, each of
            backup_id (16 bytes) + index (8 bytes) + last flag (1 byte) + data

1. Every part is authenticated by the instance's key ring (any key it holds
   opens it, so a rotated ring still reads older files): the seal names the
   header's sha256, so an edited header is refused; each chunk carries the
   backup's id and its index, so chunks swapped in from another backup,
   reordered or dropped are refused; the last chunk says it is last, so a
   truncated file is refused; the payload's sha256 and size are checked at the end.
2. The payload is streamed (a chunk of CHUNK_BYTES at a time): a dump of a
   million contacts never sits in memory.
3. Nothing is written where a reader looks until it is whole: the file is
   written beside its final name and renamed.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.fernet import InvalidToken, MultiFernet

MAGIC = b"CROSSDOCK-BACKUP 1\n"
FORMAT = 1
CHUNK_BYTES = 4 * 1024 * 1024
_PREFIX = struct.Struct(">16sQ?")  # backup id, chunk index, last chunk
_LENGTH = struct.Struct(">I")


class BackupError(ValueError):
    """The backup cannot be written or read back; the message says why and what to do."""


def _sha256_and_size(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as fh:
        while block := fh.read(CHUNK_BYTES):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def write(target: Path, header: dict, payload: Path, ring: MultiFernet, *,
          secret_key: str | None = None, compress: bool = False) -> Path:
    """Write `payload` (a file) into a backup file at `target` with `header`;
    `secret_key` travels in the sealed part; `compress` deflates each chunk
    (for payloads that are not compressed already)."""
    backup_id = secrets.token_bytes(16)
    sha256, size = _sha256_and_size(payload)
    header = {**header, "format": FORMAT, "backup_id": backup_id.hex(),
              "payload": {"sha256": sha256, "size": size, "chunk_bytes": CHUNK_BYTES,
                          "compression": "zlib" if compress else "none"}}
    header_line = json.dumps(header, ensure_ascii=False, sort_keys=True).encode() + b"\n"
    seal = ring.encrypt(json.dumps({"header_sha256": hashlib.sha256(header_line).hexdigest(),
                                    "backup_id": backup_id.hex(),
                                    "secret_key": secret_key}).encode())
    partial = target.with_name(f".{target.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out, payload.open("rb") as src:
            out.write(MAGIC + header_line + seal + b"\n")
            index, block = 0, src.read(CHUNK_BYTES)
            while True:
                following = src.read(CHUNK_BYTES)
                data = zlib.compress(block, 1) if compress else block
                token = ring.encrypt(_PREFIX.pack(backup_id, index, not following) + data)
                raw = base64.urlsafe_b64decode(token)
                out.write(_LENGTH.pack(len(raw)) + raw)
                if not following:
                    break
                index, block = index + 1, following
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def _read_line(fh: BinaryIO, path: Path, what: str) -> bytes:
    line = fh.readline(1024 * 1024)
    if not line.endswith(b"\n"):
        raise BackupError(f"{path}: not a whole Crossdock backup ({what} missing or cut)")
    return line


def read_header(fh: BinaryIO, path: Path, ring: MultiFernet) -> tuple[dict, dict]:
    """(header, sealed part) of an open backup file, positioned at the first chunk."""
    if fh.read(len(MAGIC)) != MAGIC:
        raise BackupError(f"{path}: not a Crossdock backup (format {FORMAT})")
    header_line = _read_line(fh, path, "header")
    seal = _read_line(fh, path, "seal")
    try:
        sealed = json.loads(ring.decrypt(seal.strip()))
    except InvalidToken:
        raise BackupError(f"{path}: cannot be opened with this instance's keys "
                          "(CROSSDOCK_SECRETS_KEYS, or the secret key they derive from when "
                          "unset): configure the keys the backup was taken with") from None
    if sealed["header_sha256"] != hashlib.sha256(header_line).hexdigest():
        raise BackupError(f"{path}: its header was altered since the backup was taken")
    header = json.loads(header_line)
    if header.get("format") != FORMAT or header.get("backup_id") != sealed["backup_id"]:
        raise BackupError(f"{path}: its header does not belong to its sealed part")
    return header, sealed


def open_backup(path: Path, ring: MultiFernet) -> tuple[dict, dict]:
    """Header and sealed part of the backup at `path` (both authenticated)."""
    try:
        with path.open("rb") as fh:
            return read_header(fh, path, ring)
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror}") from None


def payload(path: Path, ring: MultiFernet) -> Iterator[bytes]:
    """The payload's plaintext, chunk by chunk; BackupError on any chunk that
    is not this backup's next one, and at the end unless sha256 and size match.
    Act on what it yields only once it is exhausted."""
    with path.open("rb") as fh:
        header, _sealed = read_header(fh, path, ring)
        backup_id = bytes.fromhex(header["backup_id"])
        compressed = header["payload"]["compression"] == "zlib"
        longest = 2 * header["payload"]["chunk_bytes"] + 4096  # deflate and Fernet add a little
        digest, size, index, last = hashlib.sha256(), 0, 0, False
        while not last:
            length = fh.read(_LENGTH.size)
            if len(length) < _LENGTH.size:
                raise BackupError(f"{path}: truncated (chunk {index} missing)")
            if _LENGTH.unpack(length)[0] > longest:
                raise BackupError(f"{path}: chunk {index} was altered or cut")
            raw = fh.read(_LENGTH.unpack(length)[0])
            try:
                plain = ring.decrypt(base64.urlsafe_b64encode(raw))
            except InvalidToken:
                raise BackupError(f"{path}: chunk {index} was altered or cut") from None
            chunk_id, chunk_index, last = _PREFIX.unpack_from(plain)
            if chunk_id != backup_id or chunk_index != index:
                raise BackupError(f"{path}: chunk {index} is out of place (reordered, or "
                                  "from another backup)")
            data = plain[_PREFIX.size:]
            data = zlib.decompress(data) if compressed else data
            digest.update(data)
            size += len(data)
            index += 1
            yield data
        if fh.read(1):
            raise BackupError(f"{path}: data after the last chunk")
    if (digest.hexdigest(), size) != (header["payload"]["sha256"], header["payload"]["size"]):
        raise BackupError(f"{path}: the payload's checksum does not match its header")
