"""Readiness (plain values in, plain values out) and the Prometheus text exposition of the aggregated
series. No AWS, Redis or HTTP here: the checks are callables the handler wires from adapters.py."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Executor, Future
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass

from hotel_common.metrics import DEFINITIONS, SeriesValue

Check = Callable[[], None]  # returns when the dependency answered, raises otherwise


@dataclass(frozen=True)
class DependencyState:
    up: bool
    latency_ms: float | None = None
    error: str = ""  # the exception type or "timeout": never a message (it may hold a URL or a key)


@dataclass(frozen=True)
class Readiness:
    ready: bool
    dependencies: dict[str, DependencyState]
    checked_at: float

    def body(self) -> dict[str, object]:
        return {
            "status": "ready" if self.ready else "not_ready",
            "checked_at": self.checked_at,
            "dependencies": {
                name: {"up": d.up, "latency_ms": d.latency_ms, **({"error": d.error} if d.error else {})}
                for name, d in sorted(self.dependencies.items())
            },
        }


def _timed(check: Check) -> float:
    started = time.perf_counter()
    check()
    return round((time.perf_counter() - started) * 1000, 1)


def check_readiness(
    checks: Mapping[str, Check], executor: Executor, total_timeout: float, now: Callable[[], float] = time.time
) -> Readiness:
    """Run every check concurrently; whatever has not answered within `total_timeout` is down ("timeout").
    Each check also has its own, shorter timeout, so a slow dependency frees its worker soon after."""
    futures: dict[str, Future[float]] = {name: executor.submit(_timed, check) for name, check in checks.items()}
    wait_futures(futures.values(), timeout=total_timeout)
    states: dict[str, DependencyState] = {}
    for name, future in futures.items():
        if not future.done():
            states[name] = DependencyState(False, error="timeout")
            continue
        error = future.exception()
        states[name] = (
            DependencyState(True, future.result()) if error is None else DependencyState(False, error=_reason(error))
        )
    return Readiness(all(s.up for s in states.values()), states, now())


def _reason(error: BaseException) -> str:
    return "timeout" if "timeout" in type(error).__name__.lower() else type(error).__name__


# -- the text format (GET /metrics) ---------------------------------------------------------------------

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _escape_label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _escape_help(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n")


def _number(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    return repr(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)


def exposition(series: Iterable[SeriesValue]) -> str:
    """Prometheus text format 0.0.4: one HELP/TYPE header per family, series in read_all's order."""
    lines: list[str] = []
    family = None
    for item in series:
        if item.family != family:
            family = item.family
            definition = DEFINITIONS.get(family)
            if definition is not None:
                lines.append(f"# HELP {family} {_escape_help(definition.help)}")
            lines.append(f"# TYPE {family} {item.kind}")
        labels = ",".join(f'{name}="{_escape_label(value)}"' for name, value in item.labels)
        selector = f"{item.name}{{{labels}}}" if labels else item.name
        lines.append(f"{selector} {_number(item.value)}")
    return "\n".join(lines) + "\n" if lines else ""
