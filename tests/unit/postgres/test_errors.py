"""asyncpg's errors in the engine's tree: every SQLSTATE class mapped, outages never poison."""

from __future__ import annotations

import inspect

import asyncpg
import pytest
from asyncpg import exceptions as pg
from asyncpg.exceptions import _base

from adapters.postgres.errors import CLASSES, translate
from service.engine.errors import Failure, OutageError, PermanentError, TransientError, classify


def _sqlstate_classes() -> set[str]:
    states = {
        getattr(obj, "sqlstate", None)
        for _, obj in inspect.getmembers(pg, inspect.isclass)
        if issubclass(obj, asyncpg.PostgresError)
    }
    return {s[:2] for s in states if s}


def test_every_sqlstate_class_asyncpg_knows_is_mapped() -> None:
    """A new asyncpg release with a new class fails here until someone decides its treatment."""
    assert _sqlstate_classes() <= set(CLASSES)
    assert set(CLASSES.values()) <= {OutageError, PermanentError, TransientError}


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (pg.AdminShutdownError("terminating connection due to administrator command"), "outage"),
        (pg.CannotConnectNowError("the database system is starting up"), "outage"),
        (pg.ConnectionDoesNotExistError("connection was closed"), "outage"),
        (pg.TooManyConnectionsError("too many clients"), "outage"),
        (pg.ReadOnlySQLTransactionError("read-only transaction"), "outage"),
        (pg.InvalidPasswordError("password authentication failed"), "outage"),
        (ConnectionRefusedError(111, "refused"), "outage"),
        (ConnectionResetError(104, "reset"), "outage"),
        (pg.UntranslatableCharacterError("NUL"), "dead_letter"),
        (pg.NumericValueOutOfRangeError("out of range"), "dead_letter"),
        (_base.DataError("value out of int64 range"), "dead_letter"),
        (pg.SerializationError("could not serialize"), "retry"),
        (pg.DeadlockDetectedError("deadlock"), "retry"),
        (pg.UniqueViolationError("duplicate key"), "retry"),
        (TimeoutError(), "retry"),
        (asyncpg.InterfaceError("connection is closed"), "retry"),
        (KeyError("a bug"), "retry"),
    ],
)
def test_each_library_error_gets_its_treatment(exc: BaseException, expected: str) -> None:
    """Unreachable or restarting PostgreSQL waits; bad data dead-letters; races retry."""
    assert classify(translate(exc)) is Failure(expected)


def test_a_translated_error_keeps_the_original_name_and_message() -> None:
    """The dead letter's reason still says what PostgreSQL said."""
    translated = translate(pg.AdminShutdownError("terminating connection"))
    assert "AdminShutdownError: terminating connection" in str(translated)
