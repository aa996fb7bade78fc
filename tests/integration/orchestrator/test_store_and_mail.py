"""Conversation store on the emulator with real Redis (and without it); handoff mail through the SMTP sink."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import redis

from functions.orchestrator.mailer import SmtpNotifier
from functions.orchestrator.state import Conversation
from functions.orchestrator.store import ConversationConflict, ConversationStore
from hotel_common.redis_client import ReadAhead
from scripts.local.smtp_sink import Recorder, read_mail
from tests.integration.conftest import boto, free_port


@pytest.fixture
def table(deployed: Any) -> str:
    return str(deployed.table_names["conversations"])


def store(table: str, endpoint: str, redis_db: Any | None = None, **kwargs: Any) -> ConversationStore:
    factory = (lambda: redis_db) if redis_db is not None else None
    return ConversationStore(table, dynamodb=boto("dynamodb", endpoint), redis_factory=factory, **kwargs)


def test_round_trip_with_versions_and_a_conflict(table: str, aws_env: str, redis_db: Any) -> None:
    a = store(table, aws_env, redis_db)
    first = a.save(Conversation("hotel-sol", "346", slots={"guests": 2}, stage="collecting"))
    assert first.version == 1
    loaded = a.load("hotel-sol", "346")
    assert (loaded.version, loaded.stage, loaded.slots) == (1, "collecting", {"guests": 2})
    a.save(loaded.evolve(stage="choosing_room"))
    with pytest.raises(ConversationConflict):
        a.save(loaded.evolve(stage="idle"))  # written at version 1, the table is at 2
    assert a.load("hotel-sol", "346", fresh=True).stage == "choosing_room"


def test_a_stale_cache_costs_a_conflict_and_the_fresh_read_wins(table: str, aws_env: str, redis_db: Any) -> None:
    cached = store(table, aws_env, redis_db)
    cached.save(Conversation("hotel-sol", "347"))
    cached.load("hotel-sol", "347")  # cache filled at version 1
    uncached = store(table, aws_env)  # another container whose Redis write was lost
    uncached.save(uncached.load("hotel-sol", "347").evolve(stage="collecting"))
    stale = cached.load("hotel-sol", "347")
    assert stale.version == 1
    with pytest.raises(ConversationConflict):
        cached.save(stale.evolve(stage="idle"))
    fresh = cached.load("hotel-sol", "347")  # the conflict invalidated the entry
    assert (fresh.version, fresh.stage) == (2, "collecting")


def test_the_cache_read_declared_is_the_one_load_makes_and_none_when_it_would_not(
    table: str, aws_env: str, redis_db: Any
) -> None:
    s = store(table, aws_env, redis_db)
    s.save(Conversation("hotel-sol", "351", stage="collecting"))
    key = s.cache_read("hotel-sol", "351")
    assert key is not None and redis_db.get(key) is not None  # what load reads, kept by the save
    ahead = ReadAhead(lambda: redis_db)
    read_through = store(table, aws_env, ahead)
    with ahead.expecting(key):
        ahead.get("unrelated")  # the first GET carries the conversation
        redis_db.set(key, redis_db.get(key).replace(b"collecting", b"confirming"))
        assert read_through.load("hotel-sol", "351").stage == "collecting"  # as read ahead
        assert read_through.load("hotel-sol", "351").stage == "confirming"  # once: then Redis again
    assert store(table, aws_env).cache_read("hotel-sol", "351") is None  # no cache
    assert store(table, aws_env, redis_db, cache_seconds=0).cache_read("hotel-sol", "351") is None


def test_redis_down_loses_nothing(table: str, aws_env: str) -> None:
    dead = redis.Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_timeout=0.2, socket_connect_timeout=0.2)
    s = store(table, aws_env, dead)
    s.save(Conversation("hotel-sol", "348", stage="confirming", slots={"room_type_id": 2}))
    assert s.load("hotel-sol", "348").slots == {"room_type_id": 2}
    assert s.cache_read("hotel-sol", "348") is None  # paused after the error: nothing to read ahead


def test_an_expired_conversation_starts_over_but_keeps_its_version(table: str, aws_env: str) -> None:
    now = [time.time()]
    s = store(table, aws_env, ttl_seconds=3600, clock=lambda: now[0])
    s.save(Conversation("hotel-sol", "349", stage="confirming"))
    item = boto("dynamodb", aws_env).get_item(TableName=table, Key={"pk": {"S": "hotel-sol#349"}})["Item"]
    assert int(item["expires_at"]["N"]) == int(now[0] + 3600)
    now[0] += 3601  # moto never deletes expired items: the code must ignore them
    expired = s.load("hotel-sol", "349")
    assert (expired.stage, expired.version) == ("idle", 1)
    assert s.save(expired).version == 2


def test_resume_lifts_a_pause(table: str, aws_env: str) -> None:
    s = store(table, aws_env)
    s.save(Conversation("hotel-sol", "350", paused_until=time.time() + 3600))
    assert s.resume("hotel-sol", "350") is True
    assert not s.load("hotel-sol", "350").paused(time.time())
    assert s.resume("hotel-sol", "350") is False


def test_handoff_mail_reaches_the_smtp_sink(tmp_path: Path) -> None:
    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(Recorder(tmp_path), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        notifier = SmtpNotifier("127.0.0.1", port, sender="bot@agente-hotel.example", timeout=5)
        assert notifier.notify("recepcion@sol.example", "[Hotel] Un huésped", "Teléfono: +34611111111")
    finally:
        controller.stop()
    (mail,) = read_mail(tmp_path)
    assert mail["to"] == ["recepcion@sol.example"] and mail["subject"] == "[Hotel] Un huésped"
    assert "+34611111111" in mail["body"]
    assert not SmtpNotifier("127.0.0.1", free_port(), sender="x@y.z", timeout=1).notify("a@b.c", "s", "b")
