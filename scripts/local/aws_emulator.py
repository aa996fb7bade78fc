"""The AWS emulator of the local stack and the tests: moto's server app, served with HTTP/1.1 keep-alive,
with DynamoDB requests serialized.

- `moto_server` runs werkzeug's development server speaking HTTP/1.0, so every boto3 call opens a new TCP
  connection; a keep-alive handler cuts that cost.
- moto's DynamoDB backend takes no lock: two concurrent `TransactWriteItems` with the same
  `attribute_not_exists` condition can both succeed, which DynamoDB itself never allows (transactions are
  serializable). One lock around DynamoDB requests gives the emulator DynamoDB's guarantees, so tests of
  conditional writes under concurrency test our code, not moto's races. Other services (SQS long polls)
  are left concurrent.
"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.server import MotoRequestHandler
from werkzeug.serving import BaseWSGIServer, make_server, run_simple

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class KeepAliveHandler(MotoRequestHandler):
    protocol_version = "HTTP/1.1"


def make_app() -> WSGIApp:
    app = DomainDispatcherApplication(create_backend_app)
    dynamodb_lock = threading.Lock()

    def serialized_dynamodb(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            with dynamodb_lock:
                return list(app(environ, start_response))
        return app(environ, start_response)  # type: ignore[no-any-return]

    return serialized_dynamodb


def serve_in_thread(host: str, port: int) -> BaseWSGIServer:
    """The emulator in a background thread of this process (tests); `.shutdown()` stops it."""
    server = make_server(host, port, make_app(), threaded=True, request_handler=KeepAliveHandler)
    threading.Thread(target=server.serve_forever, daemon=True, name="aws-emulator").start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, default=4566)
    args = parser.parse_args()
    run_simple(args.host, args.port, make_app(), threaded=True, request_handler=KeepAliveHandler)


if __name__ == "__main__":
    main()
