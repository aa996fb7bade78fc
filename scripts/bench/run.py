"""`make bench`: the numbers of the system beside baselines measured in the same run, with ratios.

Starts its own local stack on free ports, then measures: webhook ack latency at 100 RPS through the
local gateway vs a minimal FastAPI app doing the same signature check and SQS send; guest message ->
reply at the fake Graph API at 20 messages/s with 30 ms PMS latency (vs a greeting, which needs no PMS);
cold init of each function vs `import boto3` and vs its library floor (the libraries it must use making
the same calls), and its first call after a SnapStart restore (cold.py, floors.py);
normalizer throughput vs `json.loads`; the metrics flush per invocation vs one Redis PING. Adds the NLU
and PMS benchmarks' reports when they ran before it. Writes everything to reports/bench.json.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from hotel_common.signature import sign
from scripts.bench.cold import cold_init
from scripts.bench.load import PreparedRequest, send_at_rate, summary
from scripts.fakes.meta_webhook import encode, status_webhook, text_webhook
from scripts.local.stack import LocalConfig, LocalStack, free_port

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "reports"
SECRET = "bench-app-secret"  # noqa: S105 - the local stack of the benchmark only
TARGETS = {"webhook_p95_ms": 15.0, "reply_p95_ms": 250.0, "cold_init_ratio": 2.0, "normalizer_per_s": 10_000.0}


def start_stack() -> LocalStack:
    os.environ.update({"WHATSAPP_APP_SECRET": SECRET, "LOCAL_LOG_LEVEL": "ERROR"})
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "us-east-1"),
    ):
        os.environ.setdefault(name, value)
    config = LocalConfig.on_free_ports(
        redis_url=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
        log_level="ERROR",
        state_dir=ROOT / ".local" / "bench",
    )
    os.environ["LOCAL_PROMETHEUS_PORT"] = str(free_port())
    os.environ["LOCAL_ALERTMANAGER_PORT"] = str(free_port())
    return LocalStack(config).start()


# -- webhook ack ----------------------------------------------------------------------------------------


def serve_baseline(stack: LocalStack) -> tuple[str, subprocess.Popen[bytes]]:
    """The baseline app in its own process (uvicorn), like the stack's gateway."""
    assert stack.deployed is not None
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scripts.bench.baseline_app",
            "--port",
            str(port),
            "--queue-url",
            stack.deployed.queue_urls["inbound"],
            "--endpoint",
            stack.config.url(stack.config.aws_port),
            "--secret",
            SECRET,
        ],
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return f"http://127.0.0.1:{port}/webhooks/whatsapp", process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("the baseline app did not start")


def _status_request(client_prefix: str, i: int) -> PreparedRequest:
    # Status updates: the full ingestion path with no reply traffic; one client IP per 100 requests so the
    # per-client limit (120/min) stays out of the measurement (each run has its own random prefix: the
    # limiter's windows outlive a run, and a bench process).
    body = encode(status_webhook(f"wamid.bench{uuid.uuid4().hex}", "delivered", recipient_id="34600000001"))
    headers = {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": sign(body, SECRET),
        "X-Forwarded-For": f"{client_prefix}.{i // 25600}.{(i // 100) % 256}",
    }
    return PreparedRequest(body, headers)


def webhook_load(url: str, rate: float, duration: float) -> dict[str, Any]:
    prefix = f"10.{secrets.randbelow(256)}"
    warmup = [_status_request(f"10.{secrets.randbelow(256)}", i) for i in range(20)]  # warm connections and workers
    requests = [_status_request(prefix, i) for i in range(int(rate * duration))]
    result = send_at_rate(url, requests, rate, warmup)
    return {**summary(result.latencies_ms), "errors": result.errors, "rps": round(result.achieved_rps, 1)}


def wait_drained(stack: LocalStack, timeout: float = 180) -> None:
    """Until the pipeline's queues are empty (nothing visible, nothing in flight)."""
    assert stack.deployed is not None
    sqs = stack.aws_clients()["sqs"]
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        depth = 0
        for queue in ("inbound", "messages"):
            attributes = sqs.get_queue_attributes(QueueUrl=stack.deployed.queue_urls[queue], AttributeNames=names)
            depth += sum(int(attributes["Attributes"][name]) for name in names)
        if depth == 0:
            return
        time.sleep(0.5)
    raise RuntimeError("the pipeline did not drain")


# -- message -> reply -----------------------------------------------------------------------------------


def reply_load(stack: LocalStack, text: str, rate: float, duration: float) -> dict[str, Any]:
    api = stack.config.url(stack.config.api_port) + "/webhooks/whatsapp"
    graph = stack.config.url(stack.config.graph_port)
    guests, requests = [], []
    for i in range(int(rate * duration)):
        guest = f"3469{uuid.uuid4().int % 10**7:07d}"
        body = encode(text_webhook(text, guest_wa_id=guest, guest_name="Bench Guest"))
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign(body, SECRET),
            "X-Forwarded-For": f"10.88.{i // 100}.1",
        }
        guests.append(guest)
        requests.append(PreparedRequest(body, headers))
    result = send_at_rate(api, requests, rate)
    sent_at = dict(zip(guests, result.sent_at, strict=True))
    deadline = time.monotonic() + 30
    first_reply: dict[str, float] = {}
    with httpx.Client(timeout=10) as client:
        while time.monotonic() < deadline and len(first_reply) < len(sent_at):
            for item in client.get(f"{graph}/_sent").json():
                to = str(item["to"]).lstrip("+")
                if to in sent_at and to not in first_reply:
                    first_reply[to] = float(item["at"])
            time.sleep(0.5)
    latencies = [(first_reply[g] - sent_at[g]) * 1000 for g in first_reply]
    return {**summary(latencies), "unanswered": len(sent_at) - len(first_reply), "errors": result.errors}


# -- in-process micro benchmarks ------------------------------------------------------------------------


def normalizer_throughput(seconds: float = 2.0) -> dict[str, Any]:
    from functions.normalizer.service import normalize_body

    payloads = [encode(text_webhook(f"hola {i}", guest_wa_id=f"3460000{i:04d}")) for i in range(50)] + [
        encode(status_webhook(f"wamid.{i}", "delivered", recipient_id="34600000001")) for i in range(50)
    ]

    def rate(fn: Any) -> float:
        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            for body in payloads:
                fn(body)
            count += len(payloads)
        return count / (time.perf_counter() - started)

    ours, baseline = rate(normalize_body), rate(json.loads)
    return {"payloads_per_s": round(ours), "json_loads_per_s": round(baseline), "ratio": round(baseline / ours, 1)}


def flush_cost(redis_url: str, n: int = 500) -> dict[str, Any]:
    import redis

    from hotel_common.metrics import Recorder

    client = redis.Redis.from_url(redis_url)
    recorder, flushes, pings = Recorder(), [], []
    for _ in range(n):
        # What a webhook invocation records: one request counter, one duration histogram, one gauge.
        http = {"method": "POST", "endpoint": "/webhooks/whatsapp", "function_version": "7"}
        recorder.inc("http_requests_total", status_code="200", **http)
        recorder.observe("request_duration_seconds", 0.004, **http)
        recorder.set("active_connections", 0)
        recorder.inc("webhook_enqueued_total", storage="sqs")
        t0 = time.perf_counter()
        recorder.flush(client)
        flushes.append((time.perf_counter() - t0) * 1e6)
        t0 = time.perf_counter()
        client.ping()
        pings.append((time.perf_counter() - t0) * 1e6)
    ours, base = statistics.median(flushes), statistics.median(pings)
    return {"flush_us": round(ours), "ping_us": round(base), "ratio": round(ours / base, 2)}


# -- report ---------------------------------------------------------------------------------------------


def row(name: str, value: str, baseline: str, ratio: str, target: str = "") -> str:
    return f"| {name} | {value} | {baseline} | {ratio} | {target} |"


def render(results: dict[str, Any]) -> str:
    lines = ["| measure | ours | baseline (same run) | ratio | target |", "| --- | --- | --- | --- | --- |"]
    for label, run_ in results.get("webhook_ack", {}).items():
        w, b = run_["ours"], run_["baseline_fastapi"]
        lines.append(
            row(
                f"webhook ack p50 / p95 @{label} (ms; achieved rps, errors)",
                f"{w['median']:.1f} / {w['p95']:.1f} ({w['rps']}, {w['errors']})",
                f"{b['median']:.1f} / {b['p95']:.1f} ({b['rps']}, {b['errors']}) FastAPI+SQS",
                f"{w['p95'] / b['p95']:.2f}x p95",
                f"p95 ≤ {TARGETS['webhook_p95_ms']:.0f} @100",
            )
        )
    if "message_to_reply" in results:
        r, g = results["message_to_reply"]["availability_pms_30ms"], results["message_to_reply"]["greeting"]
        lines.append(
            row(
                "message→reply p50 / p95 @20 msg/s (ms)",
                f"{r['median']:.0f} / {r['p95']:.0f}",
                f"{g['median']:.0f} / {g['p95']:.0f} (greeting, no PMS)",
                f"{r['p95'] / g['p95']:.2f}x p95",
                f"p95 ≤ {TARGETS['reply_p95_ms']:.0f}",
            )
        )
    cold = results.get("cold_init", {"functions": {}})
    for name, item in cold["functions"].items():
        if "init_plus_first_ms" in item:
            lines.append(
                row(
                    f"cold init {name} (ms)",
                    f"{item['init_plus_first_ms']:.0f}",
                    f"{item['baseline_import_boto3_ms']:.0f} (import boto3)",
                    f"{item['ratio_vs_boto3']:.2f}x",
                    f"≤ {TARGETS['cold_init_ratio']:.0f}x",
                )
            )
            lines.append(
                row(
                    f"library floor of {name}: its libraries' part alone (ms)",
                    f"{item['library_floor_ms']:.0f} (ours adds {item['ours_over_floor_ms']:.0f})",
                    f"{item['baseline_import_boto3_ms']:.0f} (import boto3)",
                    f"{item['library_floor_ratio_vs_boto3']:.2f}x",
                    f"≤ {TARGETS['cold_init_ratio']:.0f}x",
                )
            )
            lines.append(
                row(
                    f"SnapStart: {name}, first call after restore (ms)",
                    f"{item['snapstart_first_call_ms']:.0f} (hooks: {item['snapstart_hooks_ms']:.0f})",
                    f"{item['baseline_import_boto3_ms']:.0f} (import boto3)",
                    f"{item['snapstart_first_call_ratio_vs_boto3']:.2f}x",
                )
            )
        else:
            lines.append(row(f"cold init {name}", "n/a", "", "", str(item)[:60]))
    if n := results.get("normalizer"):
        lines.append(
            row(
                "normalizer payloads/s",
                f"{n['payloads_per_s']:,}",
                f"{n['json_loads_per_s']:,} (json.loads)",
                f"{n['ratio']}x slower",
                f"≥ {TARGETS['normalizer_per_s']:,.0f}",
            )
        )
    if f := results.get("metrics_flush"):
        lines.append(
            row(
                "metrics flush per invocation (µs)",
                f"{f['flush_us']}",
                f"{f['ping_us']} (Redis PING)",
                f"{f['ratio']}x",
            )
        )
    for name, extra in results.get("included", {}).items():
        lines.append(row(f"{name} (see reports/{name}.json)", "included", "", ""))
        del extra
    return "\n".join(lines)


def main() -> None:
    """`BENCH_ONLY=webhook,reply,cold,flush,normalizer` runs a part (all by default)."""
    REPORTS.mkdir(exist_ok=True)
    rate, duration = float(os.environ.get("BENCH_RPS", 100)), float(os.environ.get("BENCH_SECONDS", 10))
    only = {part.strip() for part in os.environ.get("BENCH_ONLY", "webhook,reply,cold,flush,normalizer").split(",")}
    stack = start_stack()
    baseline_process = None
    results: dict[str, Any] = {}
    try:
        api = stack.config.url(stack.config.api_port) + "/webhooks/whatsapp"
        if "reply" in only:
            # Replies first: a backlog left by the webhook runs would be measured as reply latency.
            qloapps = stack.config.url(stack.config.qloapps_port)
            results["message_to_reply"] = {"greeting": reply_load(stack, "hola", 20, duration)}
            httpx.post(f"{qloapps}/_faults", json={"latency_ms": 30})
            question = "Hola, ¿tienen habitación doble del 12 al 14 de diciembre para 2 personas?"
            results["message_to_reply"]["availability_pms_30ms"] = reply_load(stack, question, 20, duration)
            httpx.delete(f"{qloapps}/_faults")
        if "webhook" in only:
            baseline_url, baseline_process = serve_baseline(stack)
            # At 100 RPS (the rate) and at a low rate, each beside the baseline; at 100 RPS also with the
            # queue consumers paused: in AWS they run on capacity of their own, here they share the 2 cores.
            results["webhook_ack"] = {}
            for r in sorted({rate, float(os.environ.get("BENCH_SUSTAINED_RPS", 15))}):
                for paused in (False, True) if r == rate else (False,):
                    if paused:
                        stack.pause_consumers()
                    try:
                        results["webhook_ack"][f"{r:g}rps" + (", consumers paused" if paused else "")] = {
                            "baseline_fastapi": webhook_load(baseline_url, r, duration),
                            "ours": webhook_load(api, r, duration),
                        }
                    finally:
                        stack.resume_consumers()
                        wait_drained(stack)
        if "cold" in only:
            results["cold_init"] = cold_init(stack, SECRET)
        if "flush" in only:
            results["metrics_flush"] = flush_cost(stack.config.redis_url)
    finally:
        if baseline_process is not None:
            baseline_process.terminate()
        stack.stop()
    if "normalizer" in only:
        results["normalizer"] = normalizer_throughput()
    results["included"] = {path.stem: json.loads(path.read_text()) for path in sorted(REPORTS.glob("bench_*.json"))}
    print(render(results))
    if only == {"webhook", "reply", "cold", "flush", "normalizer"}:
        (REPORTS / "bench.json").write_text(json.dumps(results, indent=2, default=str))
        print(f"\nwritten to {REPORTS / 'bench.json'}")
    else:
        print(f"\na part only (BENCH_ONLY): {REPORTS / 'bench.json'} left as it was")


if __name__ == "__main__":
    main()
