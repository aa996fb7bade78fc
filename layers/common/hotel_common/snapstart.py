"""Lambda SnapStart: the work a function does once, before its snapshot, instead of on every cold start.

With SnapStart (staging and prod, `infra/cdk/functions.py`) Lambda runs a published version's init once,
snapshots the interpreter and restores that snapshot for each new execution environment. Our handlers import
late what only some paths need, which keeps cold starts short where there is no snapshot (dev, the local
stack without it); `prime` hands those late imports and the function's AWS clients to a before-snapshot hook,
so a restored environment starts with them.

A hook opens no connection and reads no secret: a restored snapshot is shared by many environments, so a
socket would be stale and a secret would outlive its rotation. botocore clients are safe to create: they
connect on their first call and refresh their credentials. Outside Lambda's Python runtimes
(`snapshot_restore_py` ships with them) `prime` does nothing unless the local stack emulates SnapStart.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence

logger = logging.getLogger(__name__)


def prime(*, modules: Sequence[str] = (), aws_clients: Sequence[str] = ()) -> bool:
    """Register the before-snapshot hook; False where no SnapStart runtime (or emulation) is present."""
    try:
        from snapshot_restore_py import register_before_snapshot
    except ImportError:
        return False
    register_before_snapshot(warm, tuple(modules), tuple(aws_clients))
    return True


# Loaded by whatever opens the first connection to a host name (the socket's IDNA codec), and by the first
# pydantic model built: every function builds its settings model on its first invocation (defer_build).
ALWAYS = ("encodings.idna", "pydantic.plugin._loader")


def warm(modules: Sequence[str], aws_clients: Sequence[str]) -> None:
    """Best effort: what fails here is done again on the first invocation, and a version whose hook raised
    would not be published at all."""
    for name in (*ALWAYS, *modules):
        try:
            importlib.import_module(name)
        except Exception:
            logger.warning("snapstart: could not import %s before the snapshot", name, exc_info=True)
    if aws_clients:
        from hotel_common import aws

        for service in aws_clients:
            try:
                aws.client(service)
            except Exception:
                logger.warning("snapstart: could not create the %s client before the snapshot", service, exc_info=True)
