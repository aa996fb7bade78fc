"""ReadAhead with an in-memory client: what rides on the first GET, what is served once, what is forgotten,
and that a failed read leaves every caller to read (and fail) on its own."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from hotel_common.redis_client import ReadAhead


class FakeRedis:
    """GET and pipelined GETs over a dict; `down` makes every call raise like a dead Redis."""

    def __init__(self, data: dict[str, bytes]) -> None:
        self.data = data
        self.round_trips: list[tuple[str, ...]] = []
        self.down = False

    def get(self, key: str) -> bytes | None:
        self._trip((key,))
        return self.data.get(key)

    def pipeline(self, transaction: bool = True) -> FakePipeline:
        assert transaction is False
        return FakePipeline(self)

    def set(self, key: str, value: bytes) -> bool:
        self.data[key] = value
        return True

    def _trip(self, keys: tuple[str, ...]) -> None:
        if self.down:
            raise ConnectionError("redis down")
        self.round_trips.append(keys)


class FakePipeline:
    def __init__(self, redis: FakeRedis) -> None:
        self._redis, self._keys = redis, list[str]()

    def get(self, key: str) -> None:
        self._keys.append(key)

    def execute(self, raise_on_error: bool = True) -> list[Any]:
        assert raise_on_error is False
        self._redis._trip(tuple(self._keys))
        return [ValueError("WRONGTYPE") if k == "hash" else self._redis.data.get(k) for k in self._keys]


@pytest.fixture
def redis() -> FakeRedis:
    return FakeRedis({"version": b"7", "conversation": b"{}", "other": b"x"})


def test_outside_a_block_a_get_is_a_get(redis: FakeRedis) -> None:
    ahead = ReadAhead(lambda: redis)
    assert ahead.get("version") == b"7"
    assert redis.round_trips == [("version",)]


def test_declared_keys_ride_on_the_first_get_and_are_served_once(redis: FakeRedis) -> None:
    ahead = ReadAhead(lambda: redis)
    with ahead.expecting("conversation", None, "missing"):
        assert ahead.get("version") == b"7"
        assert ahead.get("conversation") == b"{}"
        assert ahead.get("missing") is None
        assert redis.round_trips == [("version", "conversation", "missing")]
        redis.data["conversation"] = b"changed"
        assert ahead.get("conversation") == b"changed"  # served once: the next GET is Redis'
        assert ahead.get("version") == b"7"  # the first GET took the riders; later ones carry nothing
    assert redis.round_trips[1:] == [("conversation",), ("version",)]


def test_what_nobody_asked_for_is_forgotten_with_the_block(redis: FakeRedis) -> None:
    ahead = ReadAhead(lambda: redis)
    with ahead.expecting("conversation"):
        ahead.get("version")
    redis.data["conversation"] = b"newer"
    assert ahead.get("conversation") == b"newer"
    assert redis.round_trips == [("version", "conversation"), ("conversation",)]


def test_a_declared_key_read_first_brings_the_others(redis: FakeRedis) -> None:
    ahead = ReadAhead(lambda: redis)
    with ahead.expecting("conversation", "other"):
        assert ahead.get("conversation") == b"{}"
        assert ahead.get("other") == b"x"
    assert redis.round_trips == [("conversation", "other")]


def test_a_failed_read_leaves_each_rider_to_its_own_get(redis: FakeRedis) -> None:
    ahead = ReadAhead(lambda: redis)
    with ahead.expecting("conversation"):
        redis.down = True
        with pytest.raises(ConnectionError):
            ahead.get("version")
        with pytest.raises(ConnectionError):  # not answered from a read that never happened
            ahead.get("conversation")
        redis.down = False
        assert ahead.get("conversation") == b"{}"
    assert redis.round_trips == [("conversation",)]


def test_an_error_on_one_key_is_its_own(redis: FakeRedis) -> None:
    ahead = ReadAhead(lambda: redis)
    with ahead.expecting("hash", "conversation"):
        assert ahead.get("version") == b"7"
        assert ahead.get("conversation") == b"{}"
        assert ahead.get("hash") is None  # the rider's error was not kept: its own GET asked Redis
    with ahead.expecting("version"), pytest.raises(ValueError):
        ahead.get("hash")
    assert redis.round_trips[1:] == [("hash",), ("hash", "version")]


def test_blocks_are_per_thread_and_other_commands_pass_through(redis: FakeRedis) -> None:
    ahead = ReadAhead(lambda: redis)
    seen: list[Any] = []
    with ahead.expecting("conversation"):
        worker = threading.Thread(target=lambda: seen.append(ahead.get("version")))
        worker.start()
        worker.join()
        assert redis.round_trips == [("version",)]  # the other thread's GET carried nothing of ours
        assert ahead.set("other", b"y") is True
        assert ahead.get("version") == b"7" and ahead.get("conversation") == b"{}"
    assert seen == [b"7"] and redis.data["other"] == b"y"
    assert redis.round_trips[1:] == [("version", "conversation")]
