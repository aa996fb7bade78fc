"""Runs the topology's functions like Lambda does: each function in its own worker processes (its own
environment, warm between invocations, a fresh interpreter at start = a cold start), one invocation at
a time per worker, with a Lambda-like context and a timeout.

With `snap_start` a worker's init also runs the SnapStart runtime hooks the function registered, as Lambda
does for a published version of staging and prod: the before-snapshot hooks (in reverse order of
registration), then the after-restore hooks, in the same process since there is no snapshot to take here."""

from __future__ import annotations

import importlib
import multiprocessing
import os
import time
import traceback
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from infra.topology import Function

_handler: Callable[[Any, Any], Any] | None = None
_function: dict[str, Any] = {}


@dataclass
class LocalContext:
    """The attributes of Lambda's context object that our code and Powertools read."""

    function_name: str
    memory_limit_in_mb: int
    aws_request_id: str
    deadline: float
    function_version: str = "$LATEST"

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:000000000000:function:{self.function_name}"

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.function_name}"

    @property
    def log_stream_name(self) -> str:
        return f"local/{os.getpid()}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - time.time()) * 1000))


def _init_worker(environment: Mapping[str, str], handler_path: str, name: str, memory: int, snap_start: bool) -> None:
    global _handler
    os.environ.update(environment)
    module_name, _, attribute = handler_path.rpartition(".")
    _handler = getattr(importlib.import_module(module_name), attribute)
    _function.update(name=name, memory=memory)
    if snap_start:
        run_snapstart_hooks()


def run_snapstart_hooks() -> int:
    """The registered before-snapshot then after-restore hooks, in Lambda's order; how many ran."""
    try:
        import snapshot_restore_py as hooks
    except ImportError:
        return 0
    before, after = list(reversed(hooks.get_before_snapshot())), list(hooks.get_after_restore())
    for hook, args, kwargs in [*before, *after]:
        hook(*args, **kwargs)
    return len(before) + len(after)


def _invoke_in_worker(event: Any, request_id: str, timeout_seconds: float) -> tuple[bool, Any]:
    assert _handler is not None
    context = LocalContext(_function["name"], _function["memory"], request_id, time.time() + timeout_seconds)
    try:
        return True, _handler(event, context)
    except Exception as exc:
        return False, {
            "errorType": type(exc).__name__,
            "errorMessage": str(exc),
            "stackTrace": traceback.format_exc().splitlines()[-8:],
        }


def _ping() -> int:
    return os.getpid()


class FunctionError(Exception):
    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__(f"{payload.get('errorType')}: {payload.get('errorMessage')}")
        self.payload = payload


class FunctionPool:
    def __init__(
        self, function: Function, environment: Mapping[str, str], workers: int, *, snap_start: bool = False
    ) -> None:
        self.function = function
        self.workers = workers
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(dict(environment), function.handler, function.name, function.memory_mb, snap_start),
        )

    def warm(self) -> None:
        """Start every worker now (imports happen at start, like a Lambda init phase)."""
        try:
            for future in [self._executor.submit(_ping) for _ in range(self.workers)]:
                future.result(timeout=60)
        except BrokenProcessPool as exc:
            raise RuntimeError(f"function {self.function.name} failed to initialise (see the traceback above)") from exc

    def submit(self, event: Any) -> Future[tuple[bool, Any]]:
        return self._executor.submit(_invoke_in_worker, event, str(uuid.uuid4()), self.function.timeout_seconds)

    def invoke(self, event: Any) -> Any:
        """RequestResponse invocation: the handler's result, or FunctionError (an unhandled error or a
        timeout, which Lambda reports the same way)."""
        future = self.submit(event)
        try:
            ok, result = future.result(timeout=self.function.timeout_seconds + 1)
        except FutureTimeout:
            raise FunctionError(
                {"errorType": "Sandbox.Timedout", "errorMessage": f"timed out after {self.function.timeout_seconds}s"}
            ) from None
        if not ok:
            raise FunctionError(result)
        return result

    def shutdown(self) -> None:
        # Workers may be busy (a hung handler): stop them, or the interpreter waits for them at exit.
        processes = list((getattr(self._executor, "_processes", None) or {}).values())
        self._executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
