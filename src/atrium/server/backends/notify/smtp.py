"""E-mail through the server's SMTP relay: one plain-text message per delivery.

A 5xx answer (unknown mailbox, relay refused) is final; connection trouble and 4xx answers
are tried again later. Without SMTP settings every e-mail delivery fails at once, saying so.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from atrium.server.backends.notify.base import Outgoing, SendError
from atrium.server.domain.notifications import NO_SMTP, email_subject, email_text


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 587
    username: str | None = None
    password: str | None = None
    sender: str = "atrium@localhost"
    starttls: bool = True
    timeout: float = 10.0


class SmtpNotifier:
    def __init__(self, config: SmtpConfig | None) -> None:
        self.config = config

    @property
    def configured(self) -> bool:
        return self.config is not None

    def send(self, message: Outgoing) -> None:
        config = self.config
        if config is None:
            raise SendError(NO_SMTP, retry=False)
        mail = _compose(config.sender, message)
        try:
            with smtplib.SMTP(config.host, config.port, timeout=config.timeout) as smtp:
                if config.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if config.username:
                    smtp.login(config.username, config.password or "")
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = sorted({code for code, _ in exc.recipients.values()})
            reason = f"the mail server refused {message.target} ({', '.join(map(str, codes))})"
            raise SendError(reason, retry=any(c < 500 for c in codes)) from None
        except smtplib.SMTPResponseException as exc:
            reason = f"the mail server answered {exc.smtp_code}: {_text(exc.smtp_error)}"
            raise SendError(reason, retry=exc.smtp_code < 500) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(f"could not reach the mail server: {exc}") from None


def _text(answer: bytes | str) -> str:
    return answer.decode(errors="replace") if isinstance(answer, bytes) else answer


def _compose(sender: str, message: Outgoing) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.target
    mail["Subject"] = email_subject(message.payload)
    mail["Message-ID"] = make_msgid(domain="atrium")
    mail["X-Atrium-Delivery"] = message.delivery_id
    mail.set_content(email_text(message.payload))
    return mail
