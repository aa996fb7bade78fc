"""The normalizer over generated and mutated WhatsApp payloads: it never raises anything but a controlled
error with a known type, and every event it emits survives the trip through the queue."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from functions.normalizer.service import NormalizationError, normalize
from tests.fuzz.invariants import check_normalized, check_normalized_body
from tests.fuzz.strategies import ANY_JSON, mutated_body, webhook_body

FUZZ = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)


@FUZZ
@given(webhook_body())
def test_well_formed_bodies_keep_every_message(payload: dict[str, Any]) -> None:
    expected = sum(len(c["value"]["messages"]) for e in payload["entry"] for c in e["changes"])
    check_normalized(payload)
    try:
        assert len(normalize(payload).messages) == expected
    except NormalizationError as exc:
        assert exc.error_type in {"missing_changes", "missing_messages"}


@FUZZ
@given(mutated_body())
def test_mutated_bodies_never_crash(payload: Any) -> None:
    check_normalized(payload)


@FUZZ
@given(ANY_JSON)
def test_arbitrary_json_never_crashes(payload: Any) -> None:
    check_normalized(payload)


@FUZZ
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(body: bytes) -> None:
    check_normalized_body(body)


@pytest.mark.parametrize(
    "value",
    [
        {"metadata": "x", "messages": [{"from": "1", "id": "w", "timestamp": "1", "type": "text"}]},
        {"metadata": {"phone_number_id": "1"}, "contacts": [{"profile": "x", "wa_id": "1"}], "messages": []},
        {"metadata": {"phone_number_id": "1"}, "contacts": "x", "statuses": [{"id": "w", "status": "sent"}]},
        {"metadata": {"phone_number_id": "1"}, "messages": [{"from": "1", "id": "w", "timestamp": "1e99"}]},
        {"metadata": {"phone_number_id": "1"}, "errors": [{"code": 1, "error_data": "x"}]},
        # atheris: a status whose time is past the platform's time_t raised OverflowError (the whole delivery
        # would have been retried into the DLQ).
        {"metadata": {"phone_number_id": "1"}, "statuses": [{"id": "w", "status": "read", "timestamp": "9" * 30}]},
        {"metadata": {"phone_number_id": "1"}, "messages": [{"from": "1", "id": "w", "timestamp": 1e308 * 10}]},
    ],
)
def test_regressions_found_by_fuzzing(value: dict[str, Any]) -> None:
    check_normalized({"entry": [{"changes": [{"value": value}]}]})


def test_strategies_produce_json() -> None:
    assert json.dumps(webhook_body().example())
