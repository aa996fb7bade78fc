"""A second local stack for fault tests that must break shared parts: its own ports and its own embedded
redis-server (REDIS_URL points at a free port, so `scripts/local/stack.py` spawns one there), which a test
may stop and start again without touching the machine's Redis that the session's `local_stack` uses."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from tests.e2e.conftest import (
    APP_SECRET,
    VERIFY_TOKEN,
    RunningStack,
    stack_environment,
    stack_urls,
    start_stack_process,
    stop_stack_process,
)
from tests.integration.conftest import free_port

START_TIMEOUT_SECONDS = 120.0


@dataclass
class IsolatedStack(RunningStack):
    redis_port: int = 0
    state_dir: Path = field(default_factory=Path)
    _restarted: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def _client(self, timeout: float) -> redis.Redis:
        # No retries: redis-py's default reconnect backoff would turn each probe of a stopped server into
        # seconds of waiting.
        return redis.Redis(
            port=self.redis_port, socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0)
        )

    def logs(self) -> str:
        return "".join(self.output)

    def redis_up(self) -> bool:
        try:
            return bool(self._client(0.5).ping())
        except redis.RedisError:
            return False

    def stop_redis(self) -> None:
        """SHUTDOWN NOSAVE: the server exits at once and refuses connections until `start_redis`."""
        with suppress(redis.ConnectionError):  # the server closes the connection as it exits
            self._client(2).shutdown(nosave=True)
        deadline = time.monotonic() + 10
        while self.redis_up() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not self.redis_up(), "redis-server did not stop"

    def start_redis(self) -> None:
        """The same command line the stack's `_ensure_redis` used, on the same port (empty, as after a
        restart without persistence)."""
        binary = shutil.which("redis-server")
        assert binary is not None
        command = [binary, "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        log = (self.state_dir / "redis-restarted.log").open("ab")
        self._restarted.append(
            subprocess.Popen([*command, "--dir", str(self.state_dir)], stdout=log, stderr=subprocess.STDOUT)
        )
        log.close()
        deadline = time.monotonic() + 10
        while not self.redis_up() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.redis_up(), "redis-server did not come back"

    def redis_pid(self) -> int:
        return int(self._client(2).info("server")["process_id"])

    def pause_redis(self, pid: int) -> None:
        """SIGSTOP: connections are accepted by the kernel but never answered, like a hung node."""
        os.kill(pid, signal.SIGSTOP)

    def resume_redis(self, pid: int) -> None:
        os.kill(pid, signal.SIGCONT)

    def stop_restarted_redis(self) -> None:
        for process in self._restarted:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()


@contextmanager
def isolated_stack(state_dir: Path, extra_env: dict[str, str] | None = None) -> Iterator[IsolatedStack]:
    names = ("aws", "api", "invoke", "graph", "qloapps", "smtp", "redis")
    ports = {name: free_port() for name in names}
    redis_url = f"redis://127.0.0.1:{ports['redis']}/0"
    env = stack_environment(ports, redis_url, state_dir, {"LOCAL_PROMETHEUS": "off", **(extra_env or {})})
    process, output, ready = start_stack_process(env, state_dir)
    stack = IsolatedStack(
        **stack_urls(ports),
        redis_url=redis_url,
        app_secret=APP_SECRET,
        verify_token=VERIFY_TOKEN,
        env=env,
        output=output,
        redis_port=ports["redis"],
        state_dir=state_dir,
    )
    try:
        if not ready.wait(timeout=START_TIMEOUT_SECONDS) or process.poll() is not None:
            raise RuntimeError("isolated local stack did not start:\n" + "".join(output[-60:]))
        assert "embedded redis-server started by the stack" in stack.logs(), "the stack must own its Redis"
        yield stack
    finally:
        stop_stack_process(process)
        stack.stop_restarted_redis()
