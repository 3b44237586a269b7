"""The error tree: every error class has its treatment, unknown errors are retried."""

from __future__ import annotations

import pytest

from service.engine import errors
from service.engine.errors import (
    DecodeError,
    Failure,
    OutageError,
    PermanentError,
    TransientError,
    classify,
)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (DecodeError("bad json"), Failure.DEAD_LETTER),
        (PermanentError("invariant"), Failure.DEAD_LETTER),
        (TransientError("timeout"), Failure.RETRY),
        (OutageError("PostgreSQL restarting"), Failure.OUTAGE),
        (errors.HandlerError("unspecified"), Failure.RETRY),
        (TimeoutError(), Failure.RETRY),
        (ConnectionResetError(), Failure.RETRY),
        (KeyError("bug"), Failure.RETRY),
    ],
)
def test_each_error_is_classified(exc: Exception, expected: Failure) -> None:
    """Decode and permanent errors dead-letter at once, outages wait; the rest is retried."""
    assert classify(exc) is expected


def test_every_error_class_of_the_module_is_covered() -> None:
    """A new error class in the tree must be added to the classification test above."""
    classes = {
        obj
        for obj in vars(errors).values()
        if isinstance(obj, type)
        and issubclass(obj, Exception)
        and obj.__module__ == errors.__name__
    }
    assert classes == {
        DecodeError,
        errors.HandlerError,
        TransientError,
        OutageError,
        PermanentError,
    }


def test_a_decode_error_keeps_its_reason() -> None:
    """The reason goes into the dead letter verbatim."""
    assert DecodeError("missing field meter_number").reason == "missing field meter_number"
