"""The AWS emulator of the local stack and the tests: moto's server app, served by waitress with HTTP/1.1
keep-alive, with DynamoDB requests serialized.

- `moto_server` runs werkzeug's development server, which answers every request with `Connection: close`
  (whatever the protocol version) and then waits 10 ms to drain the socket: every boto3 call paid a new TCP
  connection and a new thread. waitress keeps connections open and serves them from a thread pool.
- moto's DynamoDB backend takes no lock: two concurrent `TransactWriteItems` with the same
  `attribute_not_exists` condition can both succeed, which DynamoDB itself never allows (transactions are
  serializable). One lock around DynamoDB requests gives the emulator DynamoDB's guarantees, so tests of
  conditional writes under concurrency test our code, not moto's races. Other services (SQS long polls)
  are left concurrent.
- moto's SQS computes every queue attribute, with O(n) scans of the queue, on each send and on each
  received message; under a backlog the emulator slowed down as the queue grew and never caught up. Queue
  attributes are computed per key instead, and the backend of a host is looked up once.
- moto's long poll waits until any message is visible; on a FIFO queue whose visible messages all belong
  to groups in flight that is at once, so its receive loop spun on a core for the whole wait (two pollers
  on one busy conversation did). It waits for a change instead: a message sent (moto notifies), or a short
  tick (a visibility timeout running out, a group's message deleted).
- Per request moto also lists its response class's methods with `inspect`, converts the same camelCase
  names again, and draws a receipt handle one random letter at a time (185 calls per received message):
  those are cached or drawn at once (same format, same seeded generator).
"""

from __future__ import annotations

import argparse
import functools
import json
import string
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import moto.core.responses as moto_responses
import moto.sqs.models as moto_sqs
from moto.core import utils as moto_utils
from moto.moto_api._internal import mock_random
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from waitress.server import create_server

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


# -- moto's costs that grow with the queue -----------------------------------------------------------------


class _QueueAttributes(Mapping[str, Any]):
    """`Queue.attributes` computed per key on access. moto builds the whole dict, three O(n) scans of the
    queue included (the Approximate* counts), for every send (to read ContentBasedDeduplication) and for
    every received message (to read MessageRetentionPeriod): with a backlog each call slows the next."""

    def __init__(self, queue: moto_sqs.Queue) -> None:
        self._queue = queue
        names = list(queue.BASE_ATTRIBUTES)
        if queue.fifo_queue:
            names += queue.FIFO_ATTRIBUTES
        if queue.kms_master_key_id:  # type: ignore[attr-defined]
            names += queue.KMS_ATTRIBUTES
        if queue.policy:
            names.append("Policy")
        if queue.redrive_policy:
            names.append("RedrivePolicy")
        self._names = names

    def __getitem__(self, key: str) -> Any:
        if key not in self._names:
            raise KeyError(key)
        if key == "Policy":
            return self._queue.policy
        if key == "RedrivePolicy":
            return json.dumps(self._queue.redrive_policy)
        value = getattr(self._queue, _snake_case(key))
        return str(value).lower() if isinstance(value, bool) else value

    def __contains__(self, key: object) -> bool:
        return key in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


_snake_case = functools.lru_cache(maxsize=4096)(moto_utils.camelcase_to_underscores)


def _receipt_handle() -> str:
    return "".join(mock_random.choices(string.ascii_lowercase, k=185))


# How often a waiting long poll looks again when no message was sent (a visibility timeout ran out).
LONG_POLL_TICK_SECONDS = 0.2


def _wait_for_change(self: moto_sqs.Queue, timeout: int) -> None:
    with self._messages_lock:
        self._messages_lock.wait(timeout=min(timeout, LONG_POLL_TICK_SECONDS))


def _patch_moto() -> None:
    if getattr(moto_sqs.Queue, "_agente_hotel_patched", False):
        return
    moto_sqs.Queue._agente_hotel_patched = True  # type: ignore[attr-defined]
    moto_sqs.Queue.wait_for_messages = _wait_for_change  # type: ignore[method-assign]
    moto_sqs.Queue.attributes = property(_QueueAttributes)  # type: ignore[assignment,method-assign]
    moto_sqs.camelcase_to_underscores = _snake_case
    moto_sqs.generate_receipt_handle = _receipt_handle
    moto_responses.camelcase_to_underscores = _snake_case
    moto_responses.method_names_from_class = functools.lru_cache(maxsize=None)(moto_utils.method_names_from_class)


class _Dispatcher(DomainDispatcherApplication):
    """moto's dispatcher, remembering which backend serves a host (moto lists its modules on disk per call)."""

    def __init__(self) -> None:
        super().__init__(create_backend_app)
        self._backend_by_host: dict[str | None, Any] = {}

    def get_backend_for_host(self, host: str | None) -> Any:
        if host not in self._backend_by_host:
            self._backend_by_host[host] = super().get_backend_for_host(host)
        return self._backend_by_host[host]


def make_app() -> WSGIApp:
    _patch_moto()
    app = _Dispatcher()
    dynamodb_lock = threading.Lock()

    def serialized_dynamodb(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            with dynamodb_lock:
                return list(app(environ, start_response))
        return app(environ, start_response)  # type: ignore[no-any-return]

    return serialized_dynamodb


# SQS long polls hold a thread for their whole wait: enough threads for every poller and the functions' calls.
THREADS = 32


class EmulatorServer:
    def __init__(self, host: str, port: int) -> None:
        self._server = create_server(
            make_app(), host=host, port=port, threads=THREADS, connection_limit=1000, ident="aws-emulator"
        )

    @property
    def port(self) -> int:
        return int(self._server.effective_port)  # type: ignore[union-attr]

    def serve_forever(self) -> None:
        self._server.run()

    def shutdown(self) -> None:
        self._server.close()


def serve_in_thread(host: str, port: int) -> EmulatorServer:
    """The emulator in a background thread of this process (tests); `.shutdown()` stops it."""
    server = EmulatorServer(host, port)
    threading.Thread(target=server.serve_forever, daemon=True, name="aws-emulator").start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=4566)
    args = parser.parse_args()
    EmulatorServer(args.host, args.port).serve_forever()


if __name__ == "__main__":
    main()
