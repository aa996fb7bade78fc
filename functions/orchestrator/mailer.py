"""The staff mailbox (handoff e-mails) over SMTP.

Configuration, first match wins: `SMTP_HOST`/`SMTP_PORT` (+ `SMTP_USER`/`SMTP_PASSWORD`; STARTTLS on 587,
TLS on 465) — the local stack points these at its SMTP sink —, else Gmail with `GMAIL_USERNAME` and
`GMAIL_APP_PASSWORD` (smtp.gmail.com:587, STARTTLS). Without either the notifier reports "not configured"
and the guest is given the hotel's phone number instead.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from hotel_common.config import OrchestratorSettings
from hotel_common.logging import get_logger
from hotel_common.metrics import metrics
from hotel_common.tenancy.models import mask_identifier

logger = get_logger("orchestrator")
GMAIL_HOST, GMAIL_PORT = "smtp.gmail.com", 587


class SmtpNotifier:
    def __init__(
        self, host: str, port: int, *, sender: str, user: str = "", password: str = "", timeout: float = 5.0
    ) -> None:
        self._host, self._port = host, port
        self._sender, self._user, self._password = sender, user, password
        self._timeout = timeout

    @classmethod
    def from_settings(cls, settings: OrchestratorSettings) -> SmtpNotifier | None:
        if settings.SMTP_HOST:
            return cls(
                settings.SMTP_HOST,
                settings.SMTP_PORT,
                sender=settings.ALERT_EMAIL_FROM,
                user=settings.SMTP_USER,
                password=settings.SMTP_PASSWORD.get_secret_value(),
                timeout=settings.SMTP_TIMEOUT_SECONDS,
            )
        if settings.GMAIL_USERNAME and settings.GMAIL_APP_PASSWORD.get_secret_value():
            return cls(
                GMAIL_HOST,
                GMAIL_PORT,
                sender=settings.GMAIL_USERNAME,
                user=settings.GMAIL_USERNAME,
                password=settings.GMAIL_APP_PASSWORD.get_secret_value(),
                timeout=settings.SMTP_TIMEOUT_SECONDS,
            )
        return None

    def notify(self, to: str, subject: str, body: str) -> bool:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self._sender, to, subject
        message.set_content(body)
        try:
            if self._port == 465:
                with smtplib.SMTP_SSL(
                    self._host, self._port, timeout=self._timeout, context=ssl.create_default_context()
                ) as smtp:
                    self._deliver(smtp, message)
            else:
                with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
                    if self._port == 587:
                        smtp.starttls(context=ssl.create_default_context())
                    self._deliver(smtp, message)
        except (OSError, smtplib.SMTPException) as exc:
            metrics.inc("orchestrator_handoff_total", result="mail_failed")
            logger.warning(
                "handoff e-mail failed", extra={"to": mask_identifier(to), "error": f"{type(exc).__name__}: {exc}"}
            )
            return False
        metrics.inc("orchestrator_handoff_total", result="mailed")
        logger.info("handoff e-mail sent", extra={"to": mask_identifier(to)})
        return True

    def _deliver(self, smtp: smtplib.SMTP, message: EmailMessage) -> None:
        if self._user:
            smtp.login(self._user, self._password)
        smtp.send_message(message)


class NoMail:
    """No SMTP configured: every handoff falls back to the hotel's phone number."""

    def notify(self, to: str, subject: str, body: str) -> bool:
        metrics.inc("orchestrator_handoff_total", result="not_configured")
        logger.warning("handoff e-mail not configured (SMTP_HOST or GMAIL_USERNAME)")
        return False
