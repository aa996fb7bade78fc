"""Conversation state: DynamoDB is the truth, Redis a read-through cache that may be down.

One item per tenant + guest: `pk` = "<tenant_id>#<guest wa_id>", the state as JSON, `version` for
optimistic locking (a write succeeds only on the version it read, so two Lambdas handling the same guest
cannot overwrite each other) and `expires_at` (DynamoDB TTL). TTL deletion is lazy (and the emulator never
deletes), so an expired item reads as a new conversation that keeps the item's version.

The cache holds the item as written; after any Redis error the cache is skipped for a few seconds so a
dead Redis costs one timeout, not one per message. A write always goes to DynamoDB first; when the cache
could not be updated it is invalidated, and a stale cache entry can only cause a version conflict, after
which the caller reloads with `fresh=True`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from functions.orchestrator.state import Conversation
from hotel_common.logging import get_logger
from hotel_common.metrics import metrics

logger = get_logger("orchestrator")
CACHE_PAUSE_SECONDS = 5.0


class ConversationConflict(Exception):
    """Another invocation wrote the conversation since it was read."""


def conversation_key(tenant_id: str, guest: str) -> str:
    return f"{tenant_id}#{guest}"


class ConversationStore:
    def __init__(
        self,
        table_name: str,
        *,
        dynamodb: Any,
        redis_factory: Callable[[], Any] | None = None,
        ttl_seconds: int = 30 * 24 * 3600,
        cache_seconds: int = 900,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._table = table_name
        self._db = dynamodb
        self._redis_factory = redis_factory
        self._ttl = ttl_seconds
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._cache_paused_until = 0.0

    # -- public ------------------------------------------------------------------------------------------
    def load(self, tenant_id: str, guest: str, *, fresh: bool = False) -> Conversation:
        key = conversation_key(tenant_id, guest)
        item = None if fresh else self._cache_get(key)
        if item is None:
            response = self._db.get_item(TableName=self._table, Key={"pk": {"S": key}}, ConsistentRead=True)
            raw = response.get("Item")
            item = _plain(raw) if raw else None
            if item is not None:
                self._cache_set(key, item)
        if item is None:
            return Conversation(tenant_id=tenant_id, guest=guest)
        version = int(item["version"])
        if float(item.get("expires_at", 0)) <= self._clock():
            return Conversation(tenant_id=tenant_id, guest=guest, version=version)
        data = json.loads(item["state"])
        data.update(tenant_id=tenant_id, guest=guest, version=version)
        return Conversation.from_dict(data)

    def save(self, state: Conversation) -> Conversation:
        """Write the state on top of the version it was read at; the saved state (version + 1)."""
        key = conversation_key(state.tenant_id, state.guest)
        saved = state.evolve(version=state.version + 1)
        now = self._clock()
        item = {
            "pk": key,
            "version": saved.version,
            "expires_at": int(now + self._ttl),
            "updated_at": int(now),
            "state": json.dumps(saved.to_dict(), separators=(",", ":"), ensure_ascii=False),
        }
        condition: dict[str, Any]
        if state.version == 0:
            condition = {"ConditionExpression": "attribute_not_exists(pk)"}
        else:
            condition = {
                "ConditionExpression": "version = :v",
                "ExpressionAttributeValues": {":v": {"N": str(state.version)}},
            }
        try:
            self._db.put_item(TableName=self._table, Item=_attributes(item), **condition)
        except self._db.exceptions.ConditionalCheckFailedException as exc:
            metrics.inc("orchestrator_state_errors_total", reason="conflict")
            self._cache_delete(key)
            raise ConversationConflict(key) from exc
        if not self._cache_set(key, item):
            self._cache_delete(key)
        return saved

    def resume(self, tenant_id: str, guest: str) -> bool:
        """Admin: lift a handoff pause now. True when the conversation was paused."""
        for _ in range(3):
            state = self.load(tenant_id, guest, fresh=True)
            if not state.paused(self._clock()):
                return False
            try:
                self.save(state.evolve(paused_until=0.0))
                return True
            except ConversationConflict:
                continue
        raise ConversationConflict(conversation_key(tenant_id, guest))

    def cache_read(self, tenant_id: str, guest: str) -> str | None:
        """The Redis key `load` reads first, or None when it would not read the cache (off, or paused after
        a Redis error): what the handler declares to read ahead."""
        return self._cache_key(conversation_key(tenant_id, guest)) if self._cache_on() else None

    # -- cache ---------------------------------------------------------------------------------------------
    def _cache_on(self) -> bool:
        return self._redis_factory is not None and self._cache_seconds > 0 and self._clock() >= self._cache_paused_until

    def _redis(self) -> Any | None:
        return self._redis_factory() if self._redis_factory is not None and self._cache_on() else None

    def _cache_key(self, key: str) -> str:
        return f"conversation:{self._table}:{key}"

    def _cache_failed(self, exc: Exception) -> None:
        self._cache_paused_until = self._clock() + CACHE_PAUSE_SECONDS
        metrics.inc("orchestrator_state_errors_total", reason="cache")
        logger.warning("conversation cache unavailable", extra={"error": type(exc).__name__})

    def _cache_get(self, key: str) -> dict[str, Any] | None:
        try:
            client = self._redis()
            raw = client.get(self._cache_key(key)) if client is not None else None
        except Exception as exc:
            self._cache_failed(exc)
            return None
        if raw is None:
            return None
        try:
            item = json.loads(raw)
        except ValueError:
            return None
        return item if isinstance(item, dict) and "version" in item and "state" in item else None

    def _cache_set(self, key: str, item: dict[str, Any]) -> bool:
        try:
            client = self._redis()
            if client is None:
                return True
            client.set(self._cache_key(key), json.dumps(item, ensure_ascii=False), ex=self._cache_seconds)
            return True
        except Exception as exc:
            self._cache_failed(exc)
            return False

    def _cache_delete(self, key: str) -> None:
        try:
            client = self._redis_factory() if self._redis_factory is not None else None
            if client is not None:
                client.delete(self._cache_key(key))
        except Exception as exc:
            self._cache_failed(exc)


def _attributes(item: dict[str, Any]) -> dict[str, Any]:
    return {k: {"N": str(v)} if isinstance(v, int | float) else {"S": str(v)} for k, v in item.items()}


def _plain(raw: dict[str, Any]) -> dict[str, Any]:
    return {k: (v["N"] if "N" in v else v.get("S")) for k, v in raw.items()}
