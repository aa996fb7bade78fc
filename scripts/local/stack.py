"""`make local`: the whole system offline, from `infra/topology.py`.

AWS emulator (moto server), Redis (REDIS_URL, else an embedded redis-server), fake Graph API and fake
QloApps, one pool of worker processes per function, the local API Gateway and Lambda Invoke API, the
SQS event source pollers and the schedules. Ctrl-C (or SIGTERM) stops everything.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import boto3
import httpx

from infra import topology

from . import prometheus as local_prometheus
from . import resources
from .gateway import create_api_app, create_invoke_app
from .pollers import QueuePoller
from .runtime import FunctionPool

log = logging.getLogger("local")
ROOT = Path(__file__).resolve().parents[2]


def module_exists(name: str) -> bool:
    """Optional parts (fake QloApps, tenant seed) plug in when their module is present."""
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


DEFAULT_WORKERS = {"webhook": 2, "orchestrator": 2, "pms_proxy": 2}


@dataclass(frozen=True)
class LocalConfig:
    """Ports and defaults; every value can be overridden from the environment."""

    stage: str = "local"
    host: str = "127.0.0.1"
    aws_port: int = 4566
    api_port: int = 3000
    invoke_port: int = 3001
    qloapps_port: int = 8081
    graph_port: int = 8082
    smtp_port: int = 1025
    redis_url: str = "redis://127.0.0.1:6379/0"
    visibility_override: int | None = None
    log_level: str = "WARNING"
    state_dir: Path = ROOT / ".local"
    # Run the functions' SnapStart hooks at worker start, as staging and prod do (LOCAL_SNAPSTART=0: as dev).
    snap_start: bool = True

    @classmethod
    def from_env(cls, env: os._Environ[str] | dict[str, str] = os.environ) -> LocalConfig:
        visibility = env.get("LOCAL_VISIBILITY_TIMEOUT_SECONDS")
        return cls(
            stage=env.get("STAGE", "local"),
            aws_port=int(env.get("LOCAL_AWS_PORT", 4566)),
            api_port=int(env.get("LOCAL_API_PORT", 3000)),
            invoke_port=int(env.get("LOCAL_INVOKE_PORT", 3001)),
            qloapps_port=int(env.get("FAKE_QLOAPPS_PORT", 8081)),
            graph_port=int(env.get("FAKE_GRAPH_PORT", 8082)),
            smtp_port=int(env.get("LOCAL_SMTP_PORT", 1025)),
            redis_url=env.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            visibility_override=int(visibility) if visibility else None,
            log_level=env.get("LOCAL_LOG_LEVEL", "WARNING"),
            state_dir=Path(env.get("LOCAL_STATE_DIR", str(ROOT / ".local"))),
            snap_start=env.get("LOCAL_SNAPSTART", "1") != "0",
        )

    @classmethod
    def on_free_ports(cls, **settings: Any) -> LocalConfig:
        """A stack beside any other on this machine (benchmarks, tests): every server on a free port."""
        return cls(
            aws_port=free_port(),
            api_port=free_port(),
            invoke_port=free_port(),
            qloapps_port=free_port(),
            graph_port=free_port(),
            smtp_port=free_port(),
            **settings,
        )

    def url(self, port: int) -> str:
        return f"http://{self.host}:{port}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex((host, port)) == 0


def wait_until(check: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up within {timeout:.0f}s")


def _die_with_parent() -> None:
    """The emulators end with the stack even when it is killed without a chance to stop them (Linux)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _no_signal_handlers() -> None:
    """uvicorn runs in a thread here; the main thread owns the signals."""


def redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5).ping())
    except Exception:
        return False


@dataclass
class LocalStack:
    config: LocalConfig
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    pools: dict[str, FunctionPool] = field(default_factory=dict)
    pollers: list[QueuePoller] = field(default_factory=list)
    stop_event: threading.Event = field(default_factory=threading.Event)
    deployed: resources.Deployed | None = None
    redis_note: str = ""
    extras: list[str] = field(default_factory=list)
    observability: local_prometheus.LocalObservability = field(default_factory=local_prometheus.LocalObservability)
    _servers: list[Any] = field(default_factory=list)
    _loop_thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> LocalStack:
        cfg = self.config
        cfg.state_dir.mkdir(parents=True, exist_ok=True)
        self._ensure_redis()
        self._spawn(
            "aws",
            [sys.executable, "-m", "scripts.local.aws_emulator", "-H", cfg.host, "-p", str(cfg.aws_port)],
            cfg.aws_port,
        )
        self._spawn(
            "graph", [sys.executable, "-m", "scripts.fakes.graph", "--port", str(cfg.graph_port)], cfg.graph_port
        )
        self._spawn(
            "smtp",
            [
                sys.executable,
                "-m",
                "scripts.local.smtp_sink",
                "--port",
                str(cfg.smtp_port),
                "--dir",
                str(cfg.state_dir),
            ],
            cfg.smtp_port,
        )
        if module_exists("scripts.fakes.qloapps"):
            self._spawn(
                "qloapps",
                [sys.executable, "-m", "scripts.fakes.qloapps", "--port", str(cfg.qloapps_port)],
                cfg.qloapps_port,
            )
        self.observability = local_prometheus.start(cfg.state_dir, cfg.host, self._spawn)
        aws = self.aws_clients()
        self.deployed = resources.deploy(
            cfg.stage, aws["sqs"], aws["dynamodb"], aws["s3"], visibility_override=cfg.visibility_override
        )
        self._seed(aws)
        base = self.function_base_environment()
        skipped = {n.strip() for n in os.environ.get("LOCAL_SKIP_FUNCTIONS", "").split(",") if n.strip()}
        for function in topology.FUNCTIONS:
            if function.name in skipped:
                continue
            workers = int(
                os.environ.get(f"LOCAL_WORKERS_{function.name.upper()}", DEFAULT_WORKERS.get(function.name, 1))
            )
            self.pools[function.name] = FunctionPool(
                function,
                resources.function_environment(function, self.deployed, base),
                workers,
                snap_start=self.config.snap_start,
            )
        for pool in self.pools.values():
            pool.warm()
        self._serve_http()
        for source in topology.EVENT_SOURCES:
            if source.function not in self.pools:
                continue
            # As Lambda scales an event source mapping: as many batches in flight as the consumer has workers
            # (FIFO: the emulator, like SQS, hands out no message of a group that has one in flight).
            pool = self.pools[source.function]
            for _ in range(int(os.environ.get("LOCAL_POLLERS_PER_QUEUE", pool.workers))):
                poller = QueuePoller(
                    aws["sqs"],
                    source,
                    self.deployed.queue_urls[source.queue],
                    pool,
                    self.stop_event,
                )
                poller.start()
                self.pollers.append(poller)
        for schedule in (s for s in topology.SCHEDULES if s.function in self.pools):
            threading.Thread(target=self._run_schedule, args=(schedule,), daemon=True, name=schedule.name).start()
        return self

    def pause_consumers(self) -> None:
        """Disables the event source mappings, as `aws lambda update-event-source-mapping --no-enabled`
        does: messages wait on their queues (an in-flight batch finishes)."""
        for poller in self.pollers:
            poller.running.clear()

    def resume_consumers(self) -> None:
        for poller in self.pollers:
            poller.running.set()

    def stop(self) -> None:
        self.stop_event.set()
        for server in self._servers:
            server.should_exit = True
        if self._loop_thread:
            self._loop_thread.join(timeout=5)
        for pool in self.pools.values():
            pool.shutdown()
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()

    # -- parts ------------------------------------------------------------------------------------
    def _ensure_redis(self) -> None:
        url = self.config.redis_url
        if redis_reachable(url):
            self.redis_note = f"{url} (reachable REDIS_URL)"
            return
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError(
                f"Redis at {url} is unreachable and redis-server is not installed (apt-get install redis-server)"
            )
        parsed = urlparse(url)
        port = parsed.port or 6379
        self._spawn(
            "redis",
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.config.state_dir),
            ],
            port,
        )
        self.redis_note = f"{url} (embedded redis-server started by the stack)"

    def _spawn(self, name: str, command: list[str], port: int) -> None:
        if port_open(self.config.host, port):
            raise RuntimeError(f"port {port} for {name} is already in use (is another `make local` running?)")
        logfile = open(self.config.state_dir / f"{name}.log", "ab")  # noqa: SIM115 - lives as long as the process
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=logfile,
            stderr=subprocess.STDOUT,
            env={**os.environ},
            preexec_fn=_die_with_parent,  # the emulators start before the stack starts any thread
        )
        self.processes.append(process)
        wait_until(lambda: port_open(self.config.host, port) or process.poll() is not None, name)
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited at start; see {self.config.state_dir / (name + '.log')}")

    def aws_clients(self) -> dict[str, Any]:
        session = boto3.session.Session(
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 - the emulator takes any key
            region_name="us-east-1",
        )
        endpoint = self.config.url(self.config.aws_port)
        return {
            name: session.client(name, endpoint_url=endpoint) for name in ("sqs", "dynamodb", "s3", "secretsmanager")
        }  # type: ignore[call-overload]

    def _seed(self, aws: dict[str, Any]) -> None:
        if module_exists("scripts.tenants.seed") and self.deployed is not None:
            from scripts.tenants.seed import seed_demo

            # The demo tenants' PMS URL is the fake QloApps of this stack (its port may be overridden).
            os.environ.setdefault("QLOAPPS_BASE_URL", self.config.url(self.config.qloapps_port))
            seed_demo(aws["dynamodb"], aws["secretsmanager"], self.config.stage, self.deployed.table_names)
            self.extras.append("demo tenants seeded (hotel-sol, harbor-view)")

    def function_base_environment(self) -> dict[str, str]:
        cfg = self.config
        defaults = {
            "ENVIRONMENT": "development",
            "STAGE": cfg.stage,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_REGION": "us-east-1",
            "REDIS_URL": cfg.redis_url,
            "WHATSAPP_API_BASE_URL": cfg.url(cfg.graph_port),
            "QLOAPPS_BASE_URL": cfg.url(cfg.qloapps_port),
            # Handoff e-mails go to the local SMTP sink (scripts/local/smtp_sink.py).
            "SMTP_HOST": cfg.host,
            "SMTP_PORT": str(cfg.smtp_port),
            "POWERTOOLS_LOG_LEVEL": cfg.log_level,
            "POWERTOOLS_TRACE_DISABLED": "true",
            "PROMETHEUS_REMOTE_WRITE_URL": self.observability.remote_write_url,
        }
        env = {**defaults, **os.environ}
        # The emulator endpoints always win: a stray AWS_ENDPOINT_URL must not send local traffic elsewhere.
        env["AWS_ENDPOINT_URL"] = cfg.url(cfg.aws_port)
        env["AWS_ENDPOINT_URL_LAMBDA"] = cfg.url(cfg.invoke_port)
        return env

    def _serve_http(self) -> None:
        import uvicorn

        cfg = self.config
        apps = [
            (create_api_app(self.pools, topology.ROUTES), cfg.api_port),
            (create_invoke_app(self.pools, cfg.stage), cfg.invoke_port),
        ]
        for _, port in apps:
            if port_open(cfg.host, port):
                raise RuntimeError(f"port {port} is already in use")
        self._servers = [
            uvicorn.Server(uvicorn.Config(app, host=cfg.host, port=port, log_level="warning", access_log=False))
            for app, port in apps
        ]

        def run() -> None:
            asyncio.run(self._serve_all())

        self._loop_thread = threading.Thread(target=run, daemon=True, name="http")
        self._loop_thread.start()
        thread = self._loop_thread

        def listening(port: int) -> Callable[[], bool]:
            return lambda: port_open(cfg.host, port) or not thread.is_alive()

        for _, port in apps:
            wait_until(listening(port), f"http server on {port}")
        if not thread.is_alive():
            raise RuntimeError("the HTTP servers stopped at start (see the traceback above)")

    async def _serve_all(self) -> None:
        for server in self._servers:
            server.install_signal_handlers = _no_signal_handlers  # type: ignore[method-assign]
        await asyncio.gather(*(server.serve() for server in self._servers))

    def _run_schedule(self, schedule: topology.Schedule) -> None:
        pool = self.pools[schedule.function]
        while not self.stop_event.wait(schedule.every_seconds):
            event = {
                "version": "0",
                "id": f"local-{time.time_ns()}",
                "detail-type": "Scheduled Event",
                "source": "aws.events",
                "account": "000000000000",
                "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "region": "us-east-1",
                "resources": [f"arn:aws:events:us-east-1:000000000000:rule/{schedule.name}"],
                "detail": {},
            }
            try:
                pool.invoke(event)
            except Exception as exc:
                log.warning("schedule %s: %s", schedule.name, exc)

    # -- the banner -------------------------------------------------------------------------------
    def banner(self) -> str:
        cfg = self.config
        api = cfg.url(cfg.api_port)
        verify = os.environ.get("WHATSAPP_VERIFY_TOKEN", "local-verify-token")
        lines = [
            "agente-hotel local stack is up",
            f"  API Gateway (HTTP API)   {api}   webhook: {api}/webhooks/whatsapp",
            f"  Lambda Invoke API        {cfg.url(cfg.invoke_port)}",
            f"  AWS emulator (moto)      {cfg.url(cfg.aws_port)}",
            f"  fake WhatsApp Graph API  {cfg.url(cfg.graph_port)}   sent messages: {cfg.url(cfg.graph_port)}/_sent",
            f"  fake QloApps             {cfg.url(cfg.qloapps_port)}",
            f"  Redis                    {self.redis_note}",
            f"  SMTP sink                {cfg.host}:{cfg.smtp_port}   sent e-mails: {cfg.state_dir / 'mail.jsonl'}",
            *(f"  {line}" for line in self.observability.banner_lines()),
            *(f"  {extra}" for extra in self.extras),
            f"  functions                {', '.join(f'{n} x{p.workers}' for n, p in self.pools.items())}",
            "",
            f"  verify token: {verify}",
            "  challenge:    curl "
            f"'{api}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={verify}&hub.challenge=42'",
            "  send a signed message:  .venv/bin/python -m scripts.send_webhook 'hola'   (or: make chat)",
            "  see the reply:          curl '" + cfg.url(cfg.graph_port) + "/_sent?to=34611111111'",
            f"  logs of the emulators:  {cfg.state_dir}/*.log      Ctrl-C stops everything",
        ]
        return "\n".join(lines)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    stack = LocalStack(LocalConfig.from_env())
    signal.signal(signal.SIGTERM, lambda *_: stack.stop_event.set())
    try:
        stack.start()
        print(stack.banner(), flush=True)
        print("READY", flush=True)
        while not stack.stop_event.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        print("stopping…", flush=True)
        stack.stop()


if __name__ == "__main__":
    main()


__all__ = ["LocalConfig", "LocalStack", "httpx"]
