"""The breaker's state machine as a pure function of a record, a time and a request.

`MemoryBreakerStore` runs these functions under a lock; `RedisBreakerStore` runs the same rules as Lua
(`redis_store.py`) so that a transition is one atomic step in Redis. The shared behaviour tests run every
scenario against both stores, which keeps the two spellings in agreement.

Record fields (the Redis hash uses the one-letter names in brackets):
    state [s]        closed | open | half_open
    failures [f]     consecutive failures (the failure streak)
    opened_at [o]    when the breaker last opened (seconds, the callers' clock)
    trial_until [t]  while half-open: when the trial holder's lease ends
    generation [g]   bumped on every transition and every trial grant; a result is applied only if it
                     comes from a call admitted in the current generation, so a slow call that started
                     before a transition cannot close, open or count against the new state
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

State = Literal["closed", "open", "half_open"]
STATE_VALUES: dict[State, int] = {"closed": 0, "open": 1, "half_open": 2}  # pms_circuit_breaker_state


@dataclass(frozen=True)
class Record:
    state: State = "closed"
    failures: int = 0
    opened_at: float = 0.0
    trial_until: float = 0.0
    generation: int = 0


@dataclass(frozen=True)
class Decision:
    """The answer to "may I call?"."""

    allowed: bool
    state: State  # the state the call is admitted in (or refused in)
    failures: int
    generation: int
    trial: bool = False  # the one half-open trial call
    transitioned_from: State | None = None  # open -> half_open happened on this acquire
    retry_after: float = 0.0  # when refused: seconds until a trial may be granted


@dataclass(frozen=True)
class Outcome:
    """What recording a result did."""

    applied: bool  # False: the result came from an older generation and was ignored
    state: State
    failures: int
    transitioned_from: State | None = None


def acquire(record: Record, now: float, cooldown: float, trial_lease: float) -> tuple[Record, Decision]:
    if record.state == "closed":
        return record, Decision(True, "closed", record.failures, record.generation)
    if record.state == "open":
        reopen_at = record.opened_at + cooldown
        if now < reopen_at:
            return record, Decision(False, "open", record.failures, record.generation, retry_after=reopen_at - now)
        new = replace(record, state="half_open", trial_until=now + trial_lease, generation=record.generation + 1)
        return new, Decision(True, "half_open", new.failures, new.generation, trial=True, transitioned_from="open")
    # half_open: one trial at a time; a lapsed lease means its holder died, so the next caller takes over
    if now < record.trial_until:
        return record, Decision(
            False, "half_open", record.failures, record.generation, retry_after=record.trial_until - now
        )
    new = replace(record, trial_until=now + trial_lease, generation=record.generation + 1)
    return new, Decision(True, "half_open", new.failures, new.generation, trial=True)


def record_result(record: Record, now: float, generation: int, failed: bool, threshold: int) -> tuple[Record, Outcome]:
    if generation != record.generation or record.state == "open":
        return record, Outcome(False, record.state, record.failures)
    if record.state == "closed":
        if not failed:
            new = replace(record, failures=0)
            return new, Outcome(True, "closed", 0)
        failures = record.failures + 1
        if failures >= threshold:
            new = replace(record, state="open", failures=failures, opened_at=now, generation=record.generation + 1)
            return new, Outcome(True, "open", failures, transitioned_from="closed")
        return replace(record, failures=failures), Outcome(True, "closed", failures)
    # half_open: the trial's result decides
    if not failed:
        new = Record(state="closed", generation=record.generation + 1)
        return new, Outcome(True, "closed", 0, transitioned_from="half_open")
    new = replace(
        record,
        state="open",
        failures=record.failures + 1,
        opened_at=now,
        trial_until=0.0,
        generation=record.generation + 1,
    )
    return new, Outcome(True, "open", new.failures, transitioned_from="half_open")
