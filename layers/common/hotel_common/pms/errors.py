"""The one error type of the QloApps client.

`PmsError.type` is what callers branch on; the pms_proxy maps it onto its own response types. `retryable`
says whether repeating the same *idempotent read* may help (timeouts, connection errors, 5xx, 429). A
create is never retryable: `outcome_unknown` marks the failures after which the booking may exist anyway
(timeout, 5xx, dropped connection), and the caller must look it up (`QloAppsClient.find_booking`) before
trying again.
"""

from __future__ import annotations

from typing import Literal

PmsErrorType = Literal[
    "timeout",
    "upstream_error",
    "upstream_invalid",
    "invalid_request",
    "not_found",
    "conflict",
    "unauthorized",
]


class PmsError(Exception):
    def __init__(
        self,
        type: PmsErrorType,
        message: str,
        *,
        status: int | None = None,
        code: int | None = None,
        retryable: bool = False,
        outcome_unknown: bool = False,
    ) -> None:
        super().__init__(f"pms {type} status={status} code={code}: {message}")
        self.type: PmsErrorType = type
        self.message = message
        self.status = status
        self.code = code
        self.retryable = retryable
        self.outcome_unknown = outcome_unknown
