"""Webhook signing secrets, sealed at rest with the server key like group secrets.

The worker must sign with the plaintext, so a hash (as for API tokens) would not do. The
sealing name ``notification-channel:<id>`` binds a ciphertext to its channel; group secret
names are env-var names, and group 0 does not exist, so it can never open as a group secret
(nor a group secret as this).
"""

from __future__ import annotations

from atrium.server.services import security
from atrium.server.services.secret_box import Sealed, SecretBox
from atrium.server.store.tables import NotificationChannelRow

NO_GROUP = 0
PREFIX_CHARS = 12


def _name(channel_id: str) -> str:
    return f"notification-channel:{channel_id}"


def new_secret(box: SecretBox, row: NotificationChannelRow) -> str:
    """Give the channel a fresh secret; returns the plaintext (shown to its owner once)."""
    secret = security.new_secret("whsec")
    sealed = box.seal(NO_GROUP, _name(row.id), secret)
    row.secret_ciphertext, row.secret_nonce = sealed.ciphertext, sealed.nonce
    row.secret_key_id, row.secret_prefix = sealed.key_id, secret[:PREFIX_CHARS]
    return secret


def open_secret(box: SecretBox, row: NotificationChannelRow) -> str | None:
    if row.secret_ciphertext is None or row.secret_nonce is None or row.secret_key_id is None:
        return None
    sealed = Sealed(row.secret_ciphertext, row.secret_nonce, row.secret_key_id)
    return box.open(NO_GROUP, _name(row.id), sealed)
