"""Encryption at rest for group secrets: AES-256-GCM under one server key.

Each value gets a fresh 96-bit nonce, and the associated data binds the ciphertext to its
group and name, so a row copied onto another secret (or another group) fails to decrypt
instead of leaking under a different name. ``key_id`` (a hash prefix of the key) tells a
server started with the wrong key apart from a damaged row.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12


class SecretKeyError(Exception):
    """The server key is missing, malformed, or not the one the secrets were sealed with."""


@dataclass(frozen=True)
class Sealed:
    ciphertext: bytes
    nonce: bytes
    key_id: str


class SecretBox:
    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise SecretKeyError(f"the secret key must be {KEY_BYTES} bytes, got {len(key)}")
        self._aead = AESGCM(key)
        self.key_id = hashlib.sha256(b"atrium-secret-key:" + key).hexdigest()[:16]

    def seal(self, group_id: int, name: str, value: str) -> Sealed:
        nonce = secrets.token_bytes(NONCE_BYTES)
        data = self._aead.encrypt(nonce, value.encode(), _aad(group_id, name))
        return Sealed(ciphertext=data, nonce=nonce, key_id=self.key_id)

    def open(self, group_id: int, name: str, sealed: Sealed) -> str:
        if sealed.key_id != self.key_id:
            raise SecretKeyError(
                f"secret {name!r} was sealed with key {sealed.key_id}, the server has "
                f"{self.key_id}: start the server with the original ATRIUM_SECRET_KEY"
            )
        try:
            plain = self._aead.decrypt(sealed.nonce, sealed.ciphertext, _aad(group_id, name))
        except InvalidTag:
            raise SecretKeyError(f"secret {name!r} failed authentication: damaged row") from None
        return plain.decode()


def _aad(group_id: int, name: str) -> bytes:
    return f"atrium-secret:{group_id}:{name}".encode()


def decode_key(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text.strip().encode())
    except (binascii.Error, ValueError):
        raise SecretKeyError("ATRIUM_SECRET_KEY must be 32 bytes in URL-safe base64") from None


def load_or_create_key(configured: str | None, key_file: Path) -> bytes:
    """The configured key, else the one in ``key_file``, else a new one written there (0600).

    Team servers with several replicas must share one key: set ``ATRIUM_SECRET_KEY``.
    """
    if configured:
        return decode_key(configured)
    try:
        return decode_key(key_file.read_text())
    except FileNotFoundError:
        pass
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    # Written aside, then linked into place: link() fails if another replica won the race,
    # and nobody ever reads a half-written key file.
    tmp = key_file.with_name(f".{key_file.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(base64.urlsafe_b64encode(key).decode())
    try:
        os.link(tmp, key_file)
    except FileExistsError:
        return decode_key(key_file.read_text())
    finally:
        tmp.unlink()
    return key
