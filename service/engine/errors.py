"""The engine's error tree: what a decoder or handler raises, and what the engine does with it.

    Exception
    ├── DecodeError        the record's bytes are not a valid event: dead-lettered at once
    └── HandlerError
        ├── TransientError may succeed later (timeout, connection, lock): retried with backoff
        │                  up to the bound, then dead-lettered
        └── PermanentError will never succeed (a broken invariant): dead-lettered at once

Any other exception a handler raises counts as transient: an unknown failure is more often
a flaky dependency than a bad event, and retrying is safe because effects are idempotent.
A handler that runs past its deadline failed transiently too.
"""

from __future__ import annotations

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


class PermanentError(HandlerError):
    """The handler will never succeed with this event."""


class Failure(StrEnum):
    """How a failure is treated."""

    RETRY = "retry"
    DEAD_LETTER = "dead_letter"


def classify(exc: BaseException) -> Failure:
    """Permanent and decode errors dead-letter at once; everything else is worth a retry."""
    if isinstance(exc, PermanentError | DecodeError):
        return Failure.DEAD_LETTER
    return Failure.RETRY
