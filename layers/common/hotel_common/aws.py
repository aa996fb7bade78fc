"""AWS clients, one per service and container, from one botocore session.

botocore honours `AWS_ENDPOINT_URL` (and `AWS_ENDPOINT_URL_<SERVICE>`) natively, so the same code talks
to AWS, LocalStack or the moto server without a branch; every call has a timeout and bounded retries.

botocore is imported on the first client (~70 ms of cold start), so a path that calls no AWS service never
loads it; the clients are botocore's (what boto3's `client()` returns too) without boto3's resource and
transfer layers, which we do not use (~10 ms more). One session serves every client: a session loads
botocore's endpoint data (a 1.2 MB JSON) and its other shared files once, and a second client from the
same session costs about half of the first.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

_lock = threading.Lock()


@cache
def session() -> Any:
    import botocore.session

    return botocore.session.get_session()


@cache
def _config() -> Any:
    from botocore.config import Config

    return Config(
        connect_timeout=2, read_timeout=5, retries={"max_attempts": 3, "mode": "standard"}, max_pool_connections=20
    )


@cache
def client(service: str) -> Any:
    # A session is not thread-safe while it creates clients (the readiness checks run in threads).
    with _lock:
        return session().create_client(service, config=_config())


def configured_client(service: str, config: Any) -> Any:
    """A client with its own botocore Config (timeouts, retries) from the shared session; not cached."""
    with _lock:
        return session().create_client(service, config=config)


def reset_clients() -> None:
    """Forget cached clients and the session (tests that change the endpoint or credentials between cases)."""
    client.cache_clear()
    session.cache_clear()
