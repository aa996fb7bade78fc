"""Metrics exporter (EventBridge schedule): the cumulative series in Redis → Prometheus remote write
(SigV4-signed for AMP, plain for the local Prometheus). Wiring only; the logic is in service.py."""

from __future__ import annotations

import os
from dataclasses import asdict
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from hotel_common import snapstart
from hotel_common.config import MetricsExporterSettings, load
from hotel_common.logging import get_logger
from hotel_common.metrics import flush, metrics

from .service import Exporter, PushOutcome, pushes_per_invocation, run_pushes

logger = get_logger("metrics_exporter")
snapstart.prime(
    modules=("cramjam", "functions.metrics_exporter.adapters", "hotel_common.redis_client", "redis", "urllib3"),
    aws_clients=("secretsmanager",),
)


@cache
def _settings() -> MetricsExporterSettings:
    return load(MetricsExporterSettings)


@cache
def _exporter() -> Exporter | None:
    from hotel_common.redis_client import get_redis

    from .adapters import RedisExportState
    from .remote_write import RemoteWriteSender, SigV4Signer, compress, encode_write_request, region_of

    s = _settings()
    url = s.AMP_REMOTE_WRITE_URL or s.PROMETHEUS_REMOTE_WRITE_URL
    if not url:
        return None
    signer = None
    if s.AMP_REMOTE_WRITE_URL:
        signer = SigV4Signer(s.AMP_REGION or region_of(url, os.environ.get("AWS_REGION", "us-east-1")))
    sender = RemoteWriteSender(
        url,
        signer=signer,
        timeout_seconds=s.REMOTE_WRITE_TIMEOUT_SECONDS,
        max_attempts=s.REMOTE_WRITE_MAX_ATTEMPTS,
        on_retry=lambda reason: metrics.inc("retry_attempts_total", operation="remote_write", exception=reason),
    )
    return Exporter(
        RedisExportState(get_redis(), s.STAGE),
        sender,
        lambda series: compress(encode_write_request(series)),
        {"job": s.METRICS_JOB, "stage": s.STAGE},
        s.REMOTE_WRITE_MAX_SAMPLES_PER_REQUEST,
    )


def _account(outcome: PushOutcome) -> None:
    """Count and log each push, then flush, so the exporter's own metrics go out with the next push."""
    metrics.inc("metrics_export_total", result=outcome.result)
    if outcome.result == "ok":
        metrics.set("metrics_export_series", outcome.series)
        logger.info("metrics pushed", extra=asdict(outcome))
    else:
        logger.warning("metrics push incomplete", extra=asdict(outcome))
    flush()


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    exporter = _exporter()
    if exporter is None:
        logger.warning("no remote write URL configured; nothing pushed")
        metrics.inc("metrics_export_total", result="disabled")
        flush()
        return {"pushes": []}
    s = _settings()
    pushes = pushes_per_invocation(event, s.SCHEDULE_EVERY_SECONDS)
    outcomes = run_pushes(
        exporter.push_once,
        pushes,
        float(s.SCHEDULE_EVERY_SECONDS or 0),
        lambda: context.get_remaining_time_in_millis() / 1000,
        reserve_seconds=s.REMOTE_WRITE_TIMEOUT_SECONDS + 2,
        after_push=_account,
    )
    return {"pushes": [asdict(outcome) for outcome in outcomes]}


def reset() -> None:
    """Forget the container's wiring (tests that change settings or endpoints)."""
    _settings.cache_clear()
    _exporter.cache_clear()
