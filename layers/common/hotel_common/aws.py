"""AWS clients, one per service and container, from one boto3 session.

botocore honours `AWS_ENDPOINT_URL` (and `AWS_ENDPOINT_URL_<SERVICE>`) natively, so the same code talks
to AWS, LocalStack or the moto server without a branch; every call has a timeout and bounded retries.

boto3 is imported on the first client (~80 ms of cold start), so a path that calls no AWS service never
loads it. One session serves every client: a session loads botocore's endpoint data (a 1.2 MB JSON) and
its other shared files once, and a second client from the same session costs about half of the first.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

_lock = threading.Lock()


@cache
def session() -> Any:
    import boto3

    return boto3.session.Session()


@cache
def _config() -> Any:
    from botocore.config import Config

    return Config(
        connect_timeout=2, read_timeout=5, retries={"max_attempts": 3, "mode": "standard"}, max_pool_connections=20
    )


@cache
def client(service: str) -> Any:
    # A boto3 session is not thread-safe while it creates clients (the readiness checks run in threads).
    with _lock:
        return session().client(service, config=_config())


@cache
def resource(service: str) -> Any:
    with _lock:
        return session().resource(service, config=_config())


def reset_clients() -> None:
    """Forget cached clients and the session (tests that change the endpoint or credentials between cases)."""
    client.cache_clear()
    resource.cache_clear()
    session.cache_clear()
