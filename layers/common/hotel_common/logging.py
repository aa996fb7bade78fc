"""Structured JSON logs (Powertools Logger) with the WhatsApp message id as correlation id."""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger


def get_logger(service: str | None = None) -> Logger:
    # Powertools loggers with the same service name share one handler (child loggers are cheap).
    return Logger(service=service or os.environ.get("POWERTOOLS_SERVICE_NAME", "agente-hotel"))


def mask_phone(number: str | None) -> str:
    """Phone numbers never reach the logs whole: keep the country prefix and last 3 digits."""
    if not number:
        return ""
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) <= 5:
        return "*" * len(digits)
    return f"{digits[:2]}{'*' * (len(digits) - 5)}{digits[-3:]}"
