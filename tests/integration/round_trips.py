"""Counts the Redis round trips of a block of code, as the server sees them: one per write on a socket
(a pipeline is one, whatever it holds), with the commands each carried, from every redis-py client in the
process (ours, the rate limiter's). Used to pin the number of round trips of each function's hot path."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from redis.connection import AbstractConnection

METRICS_FLUSH = "metrics flush"


def command_names(packed: bytes | list[bytes] | str) -> tuple[str, ...]:
    """The command names in a packed RESP request (`*<n>\\r\\n$<len>\\r\\n<arg>...`, several when pipelined)."""
    data = packed.encode() if isinstance(packed, str) else b"".join(packed) if isinstance(packed, list) else packed
    names: list[str] = []
    pos = 0
    while pos < len(data):
        end = data.index(b"\r\n", pos)
        count = int(data[pos + 1 : end])
        pos = end + 2
        for i in range(count):
            end = data.index(b"\r\n", pos)
            length = int(data[pos + 1 : end])
            arg = data[end + 2 : end + 2 + length]
            pos = end + 2 + length + 2
            if i == 0:
                names.append(arg.decode().upper())
            elif i == 1 and names[-1] in ("CLIENT", "SCRIPT"):
                names[-1] += " " + arg.decode().upper()
    return tuple(names)


@dataclass
class RoundTrips:
    trips: list[tuple[str, ...]] = field(default_factory=list)

    def labels(self) -> list[str]:
        """One label per round trip: the command, `pipeline(GET,GET)`, or `metrics flush` for the pipeline of
        HSET/HINCRBYFLOAT that ends every invocation (hotel_common.metrics)."""
        return [_label(trip) for trip in self.trips]


def _label(trip: tuple[str, ...]) -> str:
    if len(trip) > 1 and set(trip) <= {"HSET", "HINCRBYFLOAT"}:
        return METRICS_FLUSH
    return trip[0] if len(trip) == 1 else f"pipeline({','.join(trip)})"


def handshake(client: Any) -> list[str]:
    """What a new connection to `client`'s database sends before its first command (no CLIENT SETINFO):
    SELECT, unless the database is 0, as a production REDIS_URL has it."""
    return ["SELECT"] if int(client.connection_pool.connection_kwargs.get("db") or 0) else []


@contextmanager
def count_round_trips() -> Iterator[RoundTrips]:
    seen = RoundTrips()
    lock = threading.Lock()
    original = AbstractConnection.send_packed_command

    def counting(self: AbstractConnection, command: Any, check_health: bool = True) -> None:
        with lock:
            seen.trips.append(command_names(command))
        original(self, command, check_health)

    AbstractConnection.send_packed_command = counting  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        AbstractConnection.send_packed_command = original  # type: ignore[method-assign]


class _Later:
    """redis-py's view of the clock, an hour on: every connection looks idle since its last reply."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def monotonic(self) -> float:
        return float(self._real.monotonic()) + 3600.0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


@contextmanager
def connections_idle() -> Iterator[None]:
    """As after a quiet hour between two invocations of a warm container (what a health-check PING sees)."""
    import redis.connection

    real = redis.connection.time
    redis.connection.time = _Later(real)  # type: ignore[assignment]
    try:
        yield
    finally:
        redis.connection.time = real
