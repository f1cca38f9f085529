"""WeChat's message encryption (公众号 safe mode and every WeCom callback).

The scheme, as published in "消息加解密说明" (developers.weixin.qq.com,
公众号 message encryption) and WeCom's "加解密方案说明"
(developer.work.weixin.qq.com/document/path/90968), and as Tencent's
WXBizMsgCrypt samples implement it:
- AESKey = Base64_Decode(EncodingAESKey + "="): the 43-character key is
  32 bytes; AES-256-CBC, IV = the key's first 16 bytes;
- plaintext = random(16 bytes) + msg_len (4 bytes, network order) + msg +
  receive id (the 公众号's AppID, or WeCom's CorpID), PKCS#7-padded to a
  multiple of 32 bytes (not AES's 16), then Base64;
- msg_signature = SHA-1 of token, timestamp, nonce and the Base64 text,
  sorted and joined.
The receive id at the end is checked: a message for another account,
sealed with the same key, is refused.
"""
from __future__ import annotations

import base64
import binascii
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .signatures import RequestRefused, check_fresh, same, sha1_of_sorted

BLOCK = 32  # the scheme's PKCS#7 block, twice AES's


class MessageCrypt:
    """One account's token, EncodingAESKey and receive id (AppID / CorpID)."""

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str):
        if len(encoding_aes_key) != 43:
            raise ValueError(f"the EncodingAESKey has {len(encoding_aes_key)} characters, "
                             "WeChat's has 43; paste it again from the platform")
        try:
            self._key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except binascii.Error:
            raise ValueError("the EncodingAESKey is not Base64 (letters and digits only)") \
                from None
        self.token, self.receive_id = token, receive_id

    def signature(self, timestamp: str, nonce: str, encrypted: str) -> str:
        return sha1_of_sorted(self.token, str(timestamp), str(nonce), encrypted)

    def encrypt(self, message: str, random16: bytes | None = None) -> str:
        """Base64 of the sealed message; `random16` fixed only by tests."""
        body = message.encode("utf-8")
        plain = ((random16 or os.urandom(16)) + struct.pack(">I", len(body)) + body
                 + self.receive_id.encode("utf-8"))
        pad = BLOCK - len(plain) % BLOCK
        plain += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")

    def decrypt(self, encrypted: str) -> str:
        """The message inside; refused when it does not decrypt to the
        scheme's layout or names another receive id."""
        try:
            sealed = base64.b64decode(encrypted, validate=True)
        except binascii.Error:
            raise RequestRefused("Encrypt is not Base64") from None
        if not sealed or len(sealed) % 16:
            raise RequestRefused("Encrypt is not whole AES blocks")
        decryptor = self._cipher().decryptor()
        plain = decryptor.update(sealed) + decryptor.finalize()
        pad = plain[-1]
        if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
            raise RequestRefused("Encrypt does not decrypt with our EncodingAESKey "
                                 "(bad padding): check the key")
        plain = plain[:-pad]
        if len(plain) < 20:
            raise RequestRefused("Encrypt decrypts to less than its header")
        (length,) = struct.unpack(">I", plain[16:20])
        message, receive_id = plain[20:20 + length], plain[20 + length:]
        if len(message) != length or receive_id.decode("utf-8", "replace") != self.receive_id:
            raise RequestRefused(f"the message is for {receive_id.decode('utf-8', 'replace')!r}, "
                                 f"not our {self.receive_id!r}")
        return message.decode("utf-8")

    def open(self, msg_signature: str, timestamp: str, nonce: str, encrypted: str, *,
             now: float | None = None) -> str:
        """Check freshness and `msg_signature`, then decrypt."""
        check_fresh(timestamp, now=now)
        if not same(self.signature(timestamp, nonce, encrypted), msg_signature):
            raise RequestRefused("msg_signature does not match: not signed with our token")
        return self.decrypt(encrypted)

    def seal(self, message: str, timestamp: str, nonce: str,
             random16: bytes | None = None) -> tuple[str, str]:
        """(Encrypt, MsgSignature) for a reply."""
        encrypted = self.encrypt(message, random16)
        return encrypted, self.signature(timestamp, nonce, encrypted)

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))
