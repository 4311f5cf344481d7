"""Secrets: argon2 password hashes and random tokens stored as SHA-256."""

from __future__ import annotations

import functools
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2id at OWASP's recommended floor (19 MiB, 2 passes, 1 lane). argon2-cffi's default
# (64 MiB, 3 passes, 4 lanes) costs ~0.5 s per login on a busy 2-core server: a class of 200
# signing in at once would queue for minutes, and a cheap login is also a smaller DoS lever.
_PRODUCTION = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_hasher = _PRODUCTION


@functools.cache
def _dummy_hash() -> str:
    """Verifying against a real hash when the user does not exist keeps the timing of "no such
    user" equal to "wrong password". Made on first use (which pays for it, once): hashing at
    import cost every start of the server."""
    return _PRODUCTION.hash("not-a-password-" + secrets.token_hex(8))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def new_secret(prefix: str) -> str:
    """A token such as ``atr_<43 url-safe chars>``; the prefix makes leaked tokens greppable."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"
