"""The engine's error tree: what a decoder or handler raises, and what the engine does with it.

    Exception
    ├── DecodeError        the record's bytes are not a valid event: dead-lettered at once
    └── HandlerError
        ├── TransientError may succeed later (timeout, lock, a flaky call): retried with
        │   │              backoff up to the bound, then dead-lettered
        │   └── OutageError a dependency (PostgreSQL, Kafka) is unreachable: the record waits
        │                  for the outage to end, however long, and is never dead-lettered
        └── PermanentError will never succeed (bad data, a broken invariant): dead-lettered at once

Library errors are translated into this tree at the adapters' edge (`Translate`), so the
engine decides with one `classify`. Any other exception counts as transient: an unknown failure
is more often a flaky dependency than a bad event, and retrying is safe because effects are
idempotent; before such an attempt is counted the engine probes its dependencies, so an outage
that shows up as an unfamiliar error still never dead-letters a valid record.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum


class DecodeError(Exception):
    """The record cannot be decoded or validated; `reason` says why, for the dead letter."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class HandlerError(Exception):
    """Base of the errors a handler raises on purpose."""


class TransientError(HandlerError):
    """The handler may succeed if the event is tried again later."""


class OutageError(TransientError):
    """A dependency is unreachable: not the record's fault, so it waits rather than fails."""


class PermanentError(HandlerError):
    """The handler will never succeed with this event."""


class Failure(StrEnum):
    """How a failure is treated."""

    RETRY = "retry"
    OUTAGE = "outage"
    DEAD_LETTER = "dead_letter"


Translate = Callable[[BaseException], BaseException]
"""Maps a library's exception into this tree (or returns it unchanged when it has no mapping)."""


def unchanged(exc: BaseException) -> BaseException:
    """The translation of a composition with no adapters: every error as it is."""
    return exc


def classify(exc: BaseException) -> Failure:
    """Permanent and decode errors dead-letter, outages wait, everything else is retried."""
    if isinstance(exc, PermanentError | DecodeError):
        return Failure.DEAD_LETTER
    if isinstance(exc, OutageError):
        return Failure.OUTAGE
    return Failure.RETRY
