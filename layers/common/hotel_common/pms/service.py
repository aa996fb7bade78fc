"""One tenant's PMS with the resilience around it: breaker, retries, cache, booking safety, metrics.

    service = PmsService("hotel-sol", 1, QloAppsClient(...), breaker=pms_breaker(...), cache=PmsCache(...),
                         idempotency=IdempotencyStore(...), lock=BookingLock(...))
    answer = service.availability(AvailabilityQuery(date(2026, 6, 1), date(2026, 6, 3)))
    answer.value, answer.source          # Availability, "pms" | "cache" | "stale_cache"

Rules:
- Every PMS call goes through the tenant's breaker. A call admitted as the half-open trial gets a single
  attempt; otherwise idempotent operations (reads, cancel) are retried with backoff and full jitter on
  retryable errors, bounded in attempts and time (`hotel_common.retry`). A create is never retried.
- Reads of availability and room types come from a fresh cache entry when there is one; when the PMS
  fails (or the breaker is open) an expired entry is served as `stale_cache`.
- A create holds the room type's nights locked and is idempotent on the caller's key. When its outcome
  is unknown (timeout, 5xx, unreadable 200) the booking is looked up (`find_booking`, bypassing the
  breaker: this look-up is what keeps a guest from being booked twice) before anything is answered.
- A booking, a cancellation or a conflict drops the cached availability of the nights concerned.

Errors: `PmsError` (its `type`, including `unauthorized`) or `CircuitOpenError`. Each failure is counted
once in `pms_errors_total{operation,error_type}` and logged; every operation in
`pms_operations_total{operation,status}` (success | stale_cache | error).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, Literal, Protocol, TypeVar

from hotel_common.logging import get_logger
from hotel_common.metrics import metrics
from hotel_common.pms.cache import AvailabilityQuery, Cached, PmsCache, nights_of
from hotel_common.pms.errors import PmsError
from hotel_common.pms.models import Availability, Booking, BookingRequest, RoomType
from hotel_common.pms.safety import BookingLock, Claim, IdempotencyStore, LockBusy, SafetyUnavailable
from hotel_common.resilience import CircuitBreaker, CircuitOpenError
from hotel_common.retry import call_with_retry

T = TypeVar("T")
Source = Literal["pms", "cache", "stale_cache"]
logger = get_logger()

# Failures after which a stale answer beats no answer. Not `invalid_request`/`not_found`: those are the
# PMS' verdict on the question, and an old answer would contradict it.
STALE_WORTHY = frozenset({"timeout", "upstream_error", "upstream_invalid", "unauthorized"})
MAX_NIGHTS = 30


class PmsClient(Protocol):
    """What the service needs of a PMS client (QloAppsClient, or a fake in unit tests)."""

    def availability(
        self,
        hotel_id: int,
        date_from: date,
        date_to: date,
        *,
        room_type_id: int | None = None,
        adults: int = 2,
        children: int = 0,
    ) -> Availability: ...

    def room_types(self, hotel_id: int) -> list[RoomType]: ...

    def get_booking(self, booking_id: int) -> Booking: ...

    def find_booking(
        self,
        email: str,
        check_in: date,
        check_out: date,
        room_type_id: int,
        *,
        hotel_id: int | None = None,
        include_cancelled: bool = False,
        scan: int = 20,
    ) -> Booking | None: ...

    def create_booking(self, req: BookingRequest) -> Booking: ...

    def cancel_booking(self, booking_id: int) -> Booking: ...


@dataclass(frozen=True)
class Sourced(Generic[T]):
    value: T
    source: Source = "pms"
    cached_at: float | None = None  # when the answer came from the cache: when it was fetched
    replayed: bool = False  # a create answered from its idempotency record


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    base_delay: float = 0.1
    max_delay: float = 1.0
    deadline: float = 8.0
    sleep: Callable[[float], None] = time.sleep


class ServiceError(PmsError):
    """A PmsError raised by the service itself; `reason` is its pms_errors_total label."""

    def __init__(self, type: Any, message: str, reason: str) -> None:
        super().__init__(type, message)
        self.reason = reason


class _OutcomeUnknown(Exception):
    def __init__(self, error: PmsError) -> None:
        super().__init__(str(error))
        self.error = error


def error_label(exc: BaseException) -> str:
    if isinstance(exc, ServiceError):
        return exc.reason
    if isinstance(exc, PmsError):
        return exc.type
    if isinstance(exc, CircuitOpenError):
        return "circuit_open"
    return type(exc).__name__


class PmsService:
    def __init__(
        self,
        tenant_id: str,
        hotel_id: int,
        client: PmsClient,
        *,
        breaker: CircuitBreaker,
        cache: PmsCache | None = None,
        idempotency: IdempotencyStore | None = None,
        lock: BookingLock | None = None,
        retry: RetryPolicy | None = None,
        find_scan: int = 20,
        claim_wait: float = 10.0,
        claim_poll: float = 0.1,
        clock: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.tenant_id = tenant_id
        self.hotel_id = hotel_id
        self._client = client
        self._breaker = breaker
        self._cache = cache
        self._idem = idempotency
        self._lock = lock
        self._retry = retry or RetryPolicy()
        self._find_scan = find_scan
        self._claim_wait = claim_wait
        self._claim_poll = claim_poll
        self._clock = clock
        self._monotonic = monotonic

    # -- reads -------------------------------------------------------------------------------------------
    def availability(self, q: AvailabilityQuery) -> Sourced[Availability]:
        def fetch() -> Availability:
            return self._client.availability(
                self.hotel_id, q.date_from, q.date_to, room_type_id=q.room_type_id, adults=q.adults, children=q.children
            )

        def run() -> Sourced[Availability]:
            if not 1 <= len(q.nights()) <= MAX_NIGHTS:
                raise ServiceError("invalid_request", f"a stay is 1 to {MAX_NIGHTS} nights", "invalid_request")
            cache = self._cache
            return self._cached_read(
                "availability",
                (lambda: cache.get_availability(q)) if cache else None,
                (lambda value, at: cache.put_availability(q, value, at)) if cache else None,
                fetch,
            )

        return self._run("availability", run)

    def room_types(self) -> Sourced[list[RoomType]]:
        cache = self._cache

        def run() -> Sourced[list[RoomType]]:
            return self._cached_read(
                "room_types",
                cache.get_room_types if cache else None,
                (lambda value, _at: cache.put_room_types(value)) if cache else None,
                lambda: self._client.room_types(self.hotel_id),
            )

        return self._run("room_types", run)

    def get_booking(self, booking_id: int) -> Sourced[Booking]:
        return self._run("get_booking", lambda: Sourced(self._own_booking(booking_id)))

    # -- writes ------------------------------------------------------------------------------------------
    def cancel_booking(self, booking_id: int, *, guest_email: str | None = None) -> Sourced[Booking]:
        """Cancel (idempotent in QloApps, so retried like a read). `guest_email`, when given, must be the
        booking's: a guest cannot cancel somebody else's booking by guessing its number."""

        def run() -> Sourced[Booking]:
            current = self._own_booking(booking_id)
            if guest_email is not None and current.guest_email.strip().lower() != guest_email.strip().lower():
                raise ServiceError("not_found", f"no booking {booking_id} for this guest", "guest_mismatch")
            cancelled = self._guarded("cancel_booking", lambda: self._client.cancel_booking(booking_id), True)
            for stay in cancelled.stays:
                self._invalidate(stay.check_in, stay.check_out)
            return Sourced(cancelled)

        return self._run("cancel_booking", run)

    def create_booking(self, req: BookingRequest, idempotency_key: str) -> Sourced[Booking]:
        return self._run("create_booking", lambda: self._create(req, idempotency_key))

    # -- create, step by step ----------------------------------------------------------------------------
    def _create(self, req: BookingRequest, idempotency_key: str) -> Sourced[Booking]:
        idem, lock = self._idem, self._lock
        if idem is None or lock is None:
            raise ServiceError("upstream_error", "booking safety is not configured", "safety_unavailable")
        if req.hotel_id != self.hotel_id:
            raise ServiceError("invalid_request", "the booking names another hotel", "invalid_request")
        try:
            claim = self._claim(idem, idempotency_key)
        except SafetyUnavailable as exc:
            raise ServiceError("upstream_error", "booking safety store unavailable", "safety_unavailable") from exc
        if claim.status == "done":
            assert claim.result is not None
            logger.info("create answered from its idempotency record", extra={"tenant_id": self.tenant_id})
            return Sourced(Booking.model_validate(claim.result), replayed=True)
        settled = False
        try:
            try:
                with lock.hold(req.room_type_id, nights_of(req.check_in, req.check_out)):
                    booking = self._create_once(req, claim)
            except LockBusy as exc:
                raise ServiceError("conflict", str(exc), "lock_busy") from exc
            except SafetyUnavailable as exc:
                raise ServiceError("upstream_error", "booking lock unavailable", "safety_unavailable") from exc
            except PmsError as exc:
                if exc.type == "conflict":
                    self._invalidate(req.check_in, req.check_out)  # our cached inventory was wrong
                raise
            self._settle(lambda: idem.complete(claim, booking.model_dump(mode="json")))
            settled = True
            self._invalidate(req.check_in, req.check_out)
            return Sourced(booking)
        except _OutcomeUnknown as unknown:
            self._settle(lambda: idem.mark_unknown(claim))
            settled = True
            error = unknown.error
            raise PmsError(
                error.type,
                f"{error.message}; the booking may exist: ask again with the same idempotency_key",
                status=error.status,
                code=error.code,
                outcome_unknown=True,
            ) from error
        finally:
            if not settled:
                self._settle(lambda: idem.release(claim))

    def _claim(self, idem: IdempotencyStore, idempotency_key: str) -> Claim:
        claim = idem.claim(idempotency_key)
        deadline = self._monotonic() + self._claim_wait
        while claim.status == "busy":
            if self._monotonic() >= deadline:
                raise ServiceError("conflict", "this request is already being booked; ask again shortly", "in_progress")
            self._retry.sleep(self._claim_poll)
            claim = idem.claim(idempotency_key)
        return claim

    def _create_once(self, req: BookingRequest, claim: Claim) -> Booking:
        if claim.previous:
            # An earlier attempt with this key may have booked (it died, or its outcome was unknown).
            try:
                found = self._find(req)
            except PmsError as exc:
                self._count_error("find_booking", exc)
                raise _OutcomeUnknown(exc) from exc
            if found is not None:
                metrics.inc("pms_operations_total", operation="find_booking", status="recovered")
                return found
        try:
            return self._guarded("create_booking", lambda: self._client.create_booking(req), False)
        except PmsError as exc:
            if not exc.outcome_unknown:
                raise
            logger.warning(
                "create outcome unknown; looking the booking up",
                extra={"tenant_id": self.tenant_id, "error_type": exc.type, "status": exc.status},
            )
            try:
                found = self._find(req)
            except PmsError as find_exc:
                self._count_error("find_booking", find_exc)
                raise _OutcomeUnknown(exc) from find_exc
            if found is None:
                raise _OutcomeUnknown(exc) from exc
            metrics.inc("pms_operations_total", operation="find_booking", status="recovered")
            logger.info("booking found after an uncertain create", extra={"tenant_id": self.tenant_id})
            return found

    def _find(self, req: BookingRequest) -> Booking | None:
        return self._with_retry(
            "find_booking",
            lambda: self._client.find_booking(
                req.guest.email,
                req.check_in,
                req.check_out,
                req.room_type_id,
                hotel_id=self.hotel_id,
                scan=self._find_scan,
            ),
            self._retry.attempts,
        )

    def _settle(self, fn: Callable[[], Any]) -> None:
        try:
            fn()
        except SafetyUnavailable as exc:
            # The record expires (pending_timeout), after which a retry looks the booking up first.
            metrics.inc("pms_errors_total", operation="create_booking", error_type="idempotency_write_failed")
            logger.error("idempotency record not updated", extra={"tenant_id": self.tenant_id, "error": str(exc)})

    # -- plumbing ----------------------------------------------------------------------------------------
    def _own_booking(self, booking_id: int) -> Booking:
        booking = self._guarded("get_booking", lambda: self._client.get_booking(booking_id), True)
        if booking.hotel_id != self.hotel_id:
            raise ServiceError("not_found", f"no booking {booking_id} in this hotel", "other_hotel")
        return booking

    def _cached_read(
        self,
        operation: str,
        get: Callable[[], Cached[T] | None] | None,
        put: Callable[[T, float], Any] | None,
        fetch: Callable[[], T],
    ) -> Sourced[T]:
        cached = get() if get else None
        if cached is not None and cached.fresh:
            return Sourced(cached.value, "cache", cached.stored_at)
        started = self._clock()
        try:
            value = self._guarded(operation, fetch, True)
        except (PmsError, CircuitOpenError) as exc:
            worthy = isinstance(exc, CircuitOpenError) or (isinstance(exc, PmsError) and exc.type in STALE_WORTHY)
            if cached is None or not worthy:
                raise
            self._count_error(operation, exc)
            logger.warning(
                "pms failed; answering from the stale cache",
                extra={"tenant_id": self.tenant_id, "operation": operation, "age_s": round(started - cached.stored_at)},
            )
            return Sourced(cached.value, "stale_cache", cached.stored_at)
        if put:
            put(value, started)
        return Sourced(value, "pms")

    def _guarded(self, operation: str, fn: Callable[[], T], idempotent: bool) -> T:
        permit = self._breaker.acquire()
        attempts = 1 if permit.trial or not idempotent else self._retry.attempts
        try:
            value = self._with_retry(operation, fn, attempts)
        except BaseException as exc:
            if self._breaker.is_failure(exc):
                permit.failure()
            else:
                permit.success()
            raise
        permit.success()
        return value

    def _with_retry(self, operation: str, fn: Callable[[], T], attempts: int) -> T:
        policy = self._retry
        return call_with_retry(
            fn,
            operation=operation,
            retryable=lambda exc: isinstance(exc, PmsError) and exc.retryable,
            attempts=attempts,
            base_delay=policy.base_delay,
            max_delay=policy.max_delay,
            deadline_seconds=policy.deadline,
            sleep=policy.sleep,
        )

    def _invalidate(self, date_from: date, date_to: date) -> None:
        if self._cache is not None and self._cache.invalidate(date_from, date_to) is None:
            logger.warning("cached availability not invalidated", extra={"tenant_id": self.tenant_id})

    def _run(self, operation: str, fn: Callable[[], Sourced[T]]) -> Sourced[T]:
        try:
            result = fn()
        except BaseException as exc:
            metrics.inc("pms_operations_total", operation=operation, status="error")
            self._count_error(operation, exc)
            raise
        status = "stale_cache" if result.source == "stale_cache" else "success"
        metrics.inc("pms_operations_total", operation=operation, status=status)
        return result

    def _count_error(self, operation: str, exc: BaseException) -> None:
        label = error_label(exc)
        metrics.inc("pms_errors_total", operation=operation, error_type=label)
        extra = {"tenant_id": self.tenant_id, "operation": operation, "error_type": label, "error": str(exc)[:300]}
        if label == "unauthorized":
            logger.error("the PMS refused the tenant's webservice key", extra=extra)
        elif label in ("conflict", "not_found", "invalid_request", "guest_mismatch", "other_hotel", "lock_busy"):
            logger.info("pms operation refused", extra=extra)
        else:
            logger.warning("pms operation failed", extra=extra)
