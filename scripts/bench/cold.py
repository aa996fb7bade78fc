"""Cold init of each function, in a fresh interpreter per sample as Lambda starts one, and what SnapStart
leaves of it: the first invocation of an environment restored after the function's before-snapshot hooks
(`hotel_common.snapstart`). `make bench` runs the samples on the runtime dependencies alone, as deployed,
each beside its library floor (floors.py) and an `import boto3`, interleaved; the SnapStart test runs them
in the venv to keep each function's hooks complete.
"""

from __future__ import annotations

import compileall
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import tomllib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hotel_common.signature import sign
from infra import topology
from scripts.bench.floors import DRIVER as FLOOR_DRIVER
from scripts.bench.floors import FLOORS
from scripts.fakes.meta_webhook import encode, status_webhook, text_webhook
from scripts.local import resources
from scripts.local.stack import LocalStack

ROOT = Path(__file__).resolve().parents[2]

# One fresh interpreter per sample, as Lambda starts one; the handler's import and its first invocation are
# timed. The context is built from the standard library only: importing scripts.local.runtime for its
# LocalContext would pre-import multiprocessing and concurrent.futures (part of what asyncio imports),
# which a Lambda bootstrap does not, and hide ~15 ms of the function's own imports.
DRIVER = r"""
import importlib, json, sys, time
sys.path[:0] = json.loads(sys.argv[5])
class Context:
    memory_limit_in_mb, aws_request_id, function_version = 256, "cold", "$LATEST"
    def __init__(self, name, deadline):
        self.function_name, self.deadline = name, deadline
        self.invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:" + name
        self.log_group_name, self.log_stream_name = "/aws/lambda/" + name, "cold"
    def get_remaining_time_in_millis(self):
        return max(0, int((self.deadline - time.time()) * 1000))
handler_path, name, event, primed = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4] == "primed"
t0 = time.perf_counter()
module, _, attribute = handler_path.rpartition(".")
handler = getattr(importlib.import_module(module), attribute)
t1 = time.perf_counter()
if primed:  # what Lambda runs before the snapshot, then after the restore
    import snapshot_restore_py as hooks
    for hook, args, kwargs in [*reversed(hooks.get_before_snapshot()), *hooks.get_after_restore()]:
        hook(*args, **kwargs)
loaded, t2 = set(sys.modules), time.perf_counter()
result = handler(event, Context(name, time.time() + 60))
t3 = time.perf_counter()
print(json.dumps({
    "import_ms": (t1 - t0) * 1000, "hooks_ms": (t2 - t1) * 1000, "first_call_ms": (t3 - t2) * 1000,
    "total_ms": (t3 - t0) * 1000, "imported_by_first_call": sorted(set(sys.modules) - loaded), "result": result,
}, default=str))
"""
BOTO3 = (
    "import json, sys, time; sys.path[:0] = json.loads(sys.argv[1]); "
    "t = time.perf_counter(); import boto3; print((time.perf_counter() - t) * 1000)"
)


@dataclass(frozen=True)
class Packages:
    """Where a sample's interpreter finds its packages: the venv's site-packages, or (`isolated`, run with
    `python -S`) only `path`, as Lambda has only the runtime, the layer and the function code."""

    isolated: bool = False
    path: tuple[str, ...] = ()

    def command(self, *args: str) -> list[str]:
        return [sys.executable, *(["-S"] if self.isolated else []), *args]


VENV = Packages()
LAMBDA_PACKAGES_DIR = ROOT / ".local" / "bench" / "lambda-packages"


def deployed_packages() -> Packages:
    """The runtime dependencies alone (the layer's, boto3 and snapshot_restore_py, which Lambda's runtime
    ships), with bytecode, beside our code: what a deployed function imports from. The venv's development
    packages change what runtime libraries import: httpx imports its command line client when click and
    rich are installed (~25 ms), the editable install adds a path finder. Installed once per dependency
    list into .local/bench/lambda-packages/<hash>."""
    from infra.cdk.bundling import digest, layer_dependencies, publish

    development = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["dev"]
    requirements = [*layer_dependencies(), *(r for r in development if r.startswith("snapshot-restore-py"))]
    target = LAMBDA_PACKAGES_DIR / digest("\n".join([sys.version, *requirements]))
    if not target.exists():
        shutil.rmtree(LAMBDA_PACKAGES_DIR, ignore_errors=True)  # the installs of older dependency lists too
        staging = target.with_name(target.name + ".tmp")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-compile",
                "--only-binary=:all:",
                "--target",
                str(staging),
                *requirements,
            ],
            check=True,
        )
        compileall.compile_dir(staging, quiet=1, workers=0)
        publish(staging, target)
    return Packages(isolated=True, path=(str(ROOT), str(ROOT / "layers" / "common"), str(target)))


@dataclass(frozen=True)
class ColdCase:
    """A function's first invocation: `event()` is called per sample, so every sample does the whole work
    (a new wamid is not an idempotent replay, new dates miss the PMS cache); `done` checks the answer, so a
    sample that failed early cannot pass for a fast one."""

    function: str
    event: Callable[[], dict[str, Any]]
    done: Callable[[Any], bool]
    environment: dict[str, str] = field(default_factory=dict)


def _http_event(method: str, path: str, headers: dict[str, str] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": headers or {},
        "requestContext": {"http": {"method": method, "path": path, "sourceIp": "10.99.0.1"}, "stage": "$default"},
        "isBase64Encoded": False,
        **extra,
    }


def _status_is(code: int) -> Callable[[Any], bool]:
    return lambda result: isinstance(result, dict) and result.get("statusCode") == code


def _no_failures(result: Any) -> bool:
    return result == {"batchItemFailures": []}


def _guest() -> str:
    return f"3468{uuid.uuid4().int % 10**7:07d}"


def _sqs_event(body: str) -> dict[str, Any]:
    record = {"eventSource": "aws:sqs", "attributes": {"MessageGroupId": "g"}, "messageAttributes": {}}
    return {"Records": [{**record, "messageId": uuid.uuid4().hex, "receiptHandle": "r", "body": body}]}


def _guest_message() -> str:
    from functions.normalizer.service import normalize

    hello = normalize(text_webhook("hola", guest_wa_id=_guest())).messages[0]
    return hello.model_copy(update={"tenant_id": "hotel-sol"}).model_dump_json()


def _status() -> str:
    return encode(status_webhook(f"wamid.cold{uuid.uuid4().hex}", "read", recipient_id=_guest())).decode()


def _signed_text_post(app_secret: str) -> Callable[[], dict[str, Any]]:
    def event() -> dict[str, Any]:
        body = encode(text_webhook("Hola, ¿tienen habitación para el viernes?", guest_wa_id=_guest()))
        headers = {"content-type": "application/json", "x-hub-signature-256": sign(body, app_secret)}
        return _http_event("POST", "/webhooks/whatsapp", headers, body=body.decode())

    return event


def _availability() -> dict[str, Any]:
    # Dates no other sample asked for: the PMS cache misses and QloApps is called, as for a new question.
    start = dt.date.today() + dt.timedelta(days=30 + uuid.uuid4().int % 300)
    params = {"date_from": start.isoformat(), "date_to": (start + dt.timedelta(days=2)).isoformat(), "adults": 2}
    return {"operation": "availability", "tenant_id": "hotel-sol", "params": params}


def _pushed(result: Any) -> bool:
    pushes = result.get("pushes") if isinstance(result, dict) else None
    return isinstance(pushes, list) and bool(pushes) and all(push.get("result") == "ok" for push in pushes)


def _remote_write_sink() -> str:
    """Accepts remote writes (204) when the stack has no Prometheus, so the exporter's sample pushes."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Sink(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Sink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/api/v1/write"


def cold_cases(stack: LocalStack, app_secret: str) -> dict[str, ColdCase]:
    verify_token = os.environ.get("WHATSAPP_VERIFY_TOKEN", "local-verify-token")
    verify = {"hub.mode": "subscribe", "hub.verify_token": verify_token, "hub.challenge": "1"}
    exporter_env = {}
    if not stack.function_base_environment().get("PROMETHEUS_REMOTE_WRITE_URL"):
        exporter_env["PROMETHEUS_REMOTE_WRITE_URL"] = _remote_write_sink()
    admin = {"authorization": "Bearer " + os.environ.get("ADMIN_API_TOKEN", "local-admin-token")}
    return {
        # Meta's deliveries are what wakes a webhook container; the GET challenge comes once per subscription.
        "webhook POST text message": ColdCase("webhook", _signed_text_post(app_secret), _status_is(200)),
        "webhook GET verify": ColdCase(
            "webhook", lambda: _http_event("GET", "/webhooks/whatsapp", queryStringParameters=verify), _status_is(200)
        ),
        "normalizer": ColdCase("normalizer", lambda: _sqs_event(_status()), _no_failures),
        "orchestrator": ColdCase("orchestrator", lambda: _sqs_event(_guest_message()), _no_failures),
        "pms_proxy": ColdCase("pms_proxy", _availability, lambda result: result.get("ok") is True),
        "tenant_admin": ColdCase("tenant_admin", lambda: _http_event("GET", "/admin/tenants", admin), _status_is(200)),
        "health": ColdCase("health", lambda: _http_event("GET", "/health/live"), _status_is(200)),
        "metrics_exporter": ColdCase(
            "metrics_exporter",
            lambda: {"detail-type": "Scheduled Event", "source": "aws.events", "detail": {}},
            _pushed,
            exporter_env,
        ),
    }


def _run(command: list[str], env: dict[str, str], marker: str) -> dict[str, Any]:
    completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    lines = [line for line in completed.stdout.splitlines() if line.startswith(marker)]
    if completed.returncode or not lines:
        raise RuntimeError((completed.stderr or completed.stdout)[-300:])
    return dict(json.loads(lines[-1]))


def cold_sample(
    handler: str,
    name: str,
    event: dict[str, Any],
    env: dict[str, str],
    *,
    primed: bool = False,
    packages: Packages = VENV,
) -> dict[str, Any]:
    mode = "primed" if primed else "cold"
    command = packages.command("-c", DRIVER, handler, name, json.dumps(event), mode, json.dumps(packages.path))
    return _run(command, env, '{"import_ms"')


CaseEnvironments = dict[str, tuple[ColdCase, topology.Function, dict[str, str]]]


def compile_our_code() -> None:
    # Deployed code carries its bytecode (infra/cdk/bundling.py), as the venv's packages do here; ours is
    # compiled now, or each sample would compile it again (`make` sets PYTHONDONTWRITEBYTECODE).
    for tree in (ROOT / "functions", ROOT / "layers" / "common" / "hotel_common"):
        compileall.compile_dir(tree, quiet=1)


def case_environments(stack: LocalStack, app_secret: str) -> CaseEnvironments:
    """Each cold case with its function and that function's environment on this stack."""
    assert stack.deployed is not None
    base = stack.function_base_environment()
    functions = {function.name: function for function in topology.FUNCTIONS}
    out = {}
    for row, case in cold_cases(stack, app_secret).items():
        function = functions[case.function]
        out[row] = (
            case,
            function,
            {**resources.function_environment(function, stack.deployed, base), **case.environment},
        )
    return out


def sample(
    case: ColdCase, function: topology.Function, env: dict[str, str], *, primed: bool, packages: Packages = VENV
) -> dict[str, Any]:
    """One checked sample: an answer that is not the expected one fails it (a sample that failed early
    must not pass for a fast one)."""
    result = cold_sample(function.handler, function.name, case.event(), env, primed=primed, packages=packages)
    if not case.done(result["result"]):
        raise RuntimeError(f"unexpected answer: {str(result['result'])[:200]}")
    return result


def floor_params(stack: LocalStack, environments: CaseEnvironments) -> dict[str, str]:
    """Where the floors read and write: the stack's tables, secret and fakes, and a queue of their own (what
    they send must not reach a consumer)."""
    import boto3

    from scripts.tenants.seed import pms_secret_name

    assert stack.deployed is not None
    tables = stack.deployed.table_names
    sqs = boto3.client("sqs", endpoint_url=stack.config.url(stack.config.aws_port), region_name="us-east-1")
    queue = sqs.create_queue(
        QueueName="bench-floor.fifo", Attributes={"FifoQueue": "true", "MessageRetentionPeriod": "60"}
    )
    return {
        "queue_url": queue["QueueUrl"],
        "tenants_table": tables["tenants"],
        "idempotency_table": tables["idempotency"],
        "conversations_table": tables["conversations"],
        "pms_secret": pms_secret_name(stack.config.stage, "hotel-sol"),
        "qloapps_url": stack.config.url(stack.config.qloapps_port),
        "remote_write_url": environments["metrics_exporter"][2]["PROMETHEUS_REMOTE_WRITE_URL"],
        "guest": "34600000001",
    }


def floor_sample(
    row: str, event: dict[str, Any], env: dict[str, str], params: dict[str, str], packages: Packages
) -> float:
    command = packages.command(
        "-c", FLOOR_DRIVER, json.dumps(packages.path), FLOORS[row], json.dumps(event), json.dumps(params)
    )
    return float(_run(command, env, '{"total_ms"')["total_ms"])


def boto3_sample(packages: Packages) -> float:
    command = packages.command("-c", BOTO3, json.dumps(packages.path))
    return float(subprocess.check_output(command, cwd=ROOT, text=True))


def cold_init(stack: LocalStack, app_secret: str, runs: int = 5) -> dict[str, Any]:
    compile_our_code()
    packages = deployed_packages()
    out: dict[str, Any] = {"packages": "runtime dependencies only, as deployed (python -S)", "functions": {}}
    environments = case_environments(stack, app_secret)
    params = floor_params(stack, environments)
    baselines: list[float] = []
    for row, (case, function, env) in environments.items():
        cold, primed, floor, boto = [], [], [], []
        try:
            # Interleaved, the baseline too: every column of a row sees the same machine (the pipeline may
            # still drain an earlier part's backlog while the first rows run).
            for _ in range(runs):
                cold.append(sample(case, function, env, primed=False, packages=packages))
                primed.append(sample(case, function, env, primed=True, packages=packages))
                floor.append(floor_sample(row, case.event(), env, params, packages))
                boto.append(boto3_sample(packages))
                time.sleep(0.3)  # the stack's pollers finish with what the samples queued before the next ones
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            out["functions"][row] = {"error": str(exc)}
            continue
        baselines.extend(boto)
        baseline = statistics.median(boto)
        total = statistics.median(s["total_ms"] for s in cold)
        restored = statistics.median(s["first_call_ms"] for s in primed)
        library_floor = statistics.median(floor)
        out["functions"][row] = {
            "baseline_import_boto3_ms": round(baseline, 1),
            "import_ms": round(statistics.median(s["import_ms"] for s in cold), 1),
            "init_plus_first_ms": round(total, 1),
            "ratio_vs_boto3": round(total / baseline, 2),
            # The same first invocation done by the required libraries alone (floors.py).
            "library_floor_ms": round(library_floor, 1),
            "library_floor_ratio_vs_boto3": round(library_floor / baseline, 2),
            "ours_over_floor_ms": round(total - library_floor, 1),
            # SnapStart: init and hooks run once before the snapshot; a restored environment pays Lambda's
            # restore (not measurable here) and this first call.
            "snapstart_hooks_ms": round(statistics.median(s["hooks_ms"] for s in primed), 1),
            "snapstart_first_call_ms": round(restored, 1),
            "snapstart_first_call_ratio_vs_boto3": round(restored / baseline, 2),
        }
    out["baseline_import_boto3_ms"] = round(statistics.median(baselines), 1) if baselines else None
    return out
