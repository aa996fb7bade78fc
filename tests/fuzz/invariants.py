"""What every fuzzer checks, whatever generated the input (hypothesis strategies or atheris' coverage-guided
mutations): the normalizer raises nothing but a controlled error of a known type and every event it emits
survives the trip through the queue; the webhook answers a delivery 200 or a 4xx, and a refusal is counted
under exactly one known reason."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from functions.normalizer.service import NormalizationError, Normalized, normalize, normalize_body
from hotel_common.metrics import metrics
from hotel_common.models import parse_event
from tests.events import FakeContext, http_event

NORMALIZATION_ERRORS = {"missing_entry", "missing_changes", "missing_messages", "unexpected"}
WEBHOOK_REFUSALS = {"missing_signature", "bad_signature", "not_json", "not_an_object", "too_large"}


def _check_normalization(run: Callable[[], Normalized]) -> None:
    try:
        result = run()
    except NormalizationError as exc:
        assert exc.error_type in NORMALIZATION_ERRORS, exc.error_type
        return
    assert set(result.skipped) <= NORMALIZATION_ERRORS, result.skipped
    for event in result.events:
        assert parse_event(event.model_dump_json()) == event


def check_normalized(payload: Any) -> None:
    _check_normalization(lambda: normalize(payload))


def check_normalized_body(body: bytes) -> None:
    """As the normalizer's record handler sees a body: bytes off the queue."""
    _check_normalization(lambda: normalize_body(body))


def webhook_call(
    module: Any, body: bytes, headers: dict[str, str], method: str = "POST"
) -> tuple[int, dict[str, float]]:
    """One request through the webhook handler: its status and the refusals it counted, by reason."""
    metrics.drain()
    event = http_event(method, "/webhooks/whatsapp", body, headers=headers)
    response = module.handler(event, FakeContext())
    adds, _ = metrics.drain()
    rejected = {json.loads(field)[0][1]: v for (name, field), v in adds.items() if name == "webhook_rejected_total"}
    return response["statusCode"], rejected


def check_webhook_answer(status: int, rejected: dict[str, float]) -> None:
    assert status in (200, 400, 401, 413), status
    if status == 200:
        assert rejected == {}, rejected
    else:
        assert sum(rejected.values()) == 1, rejected
        assert set(rejected) <= WEBHOOK_REFUSALS, rejected
