"""Notification senders: signed webhooks (httpx) and e-mail (smtplib), behind one protocol."""

from atrium.server.backends.notify.base import Notifier, Outgoing, SendError

__all__ = ["Notifier", "Outgoing", "SendError"]
