"""asyncpg's errors translated into the engine's tree, by SQLSTATE class.

    outage     PostgreSQL is unreachable, restarting, out of resources or misconfigured for us
               (connection, operator intervention, system, auth, missing objects): the record
               is not at fault, so it waits for the outage to end
    permanent  the data can never be stored (data exceptions, violated checks)
    transient  a race or a conflict that another attempt may not meet (serialization,
               deadlock, lock not available, a unique key taken meanwhile)

`CLASSES` names every SQLSTATE class asyncpg knows (a test keeps it so); a class PostgreSQL adds
later counts as transient until it is named here.
"""

from __future__ import annotations

import asyncpg
from asyncpg.exceptions import _base

from service.engine.errors import OutageError, PermanentError, TransientError

_OUTAGE, _PERMANENT, _TRANSIENT = OutageError, PermanentError, TransientError
CLASSES: dict[str, type[Exception]] = {
    "08": _OUTAGE,  # connection exception
    "28": _OUTAGE,  # invalid authorization (a password changed under us)
    "3D": _OUTAGE,  # invalid catalog name (the database is gone)
    "3F": _OUTAGE,  # invalid schema name
    "42": _OUTAGE,  # syntax or access rule: a broken deployment, never the record's fault
    "53": _OUTAGE,  # insufficient resources (too many connections, disk full)
    "57": _OUTAGE,  # operator intervention (shutdown, restart, query cancelled)
    "58": _OUTAGE,  # system error (I/O)
    "F0": _OUTAGE,  # configuration file error
    "XX": _OUTAGE,  # internal error
    "72": _OUTAGE,  # snapshot too old
    "25": _OUTAGE,  # invalid transaction state (25006: a read-only standby after failover)
    "22": _PERMANENT,  # data exception (NUL byte, out of range)
    "21": _PERMANENT,  # cardinality violation
    "2F": _PERMANENT,  # SQL routine exception
    "38": _PERMANENT,  # external routine exception
    "39": _PERMANENT,  # external routine invocation exception
    "P0": _PERMANENT,  # PL/pgSQL raise
    "0A": _PERMANENT,  # feature not supported
    "23": _TRANSIENT,  # integrity (a unique key taken by a concurrent writer; checks re-fail)
    "40": _TRANSIENT,  # transaction rollback (serialization failure, deadlock)
    "55": _TRANSIENT,  # object not in prerequisite state (lock not available)
    "54": _PERMANENT,  # program limit exceeded (a value too large to index)
    "44": _PERMANENT,  # WITH CHECK OPTION violation
    "27": _PERMANENT,  # triggered data change violation
    "09": _PERMANENT,  # triggered action exception
    "20": _PERMANENT,  # case not found
    "24": _TRANSIENT,  # invalid cursor state
    "26": _TRANSIENT,  # invalid SQL statement name (a prepared statement lost on reconnect)
    "34": _TRANSIENT,  # invalid cursor name
    "2B": _TRANSIENT,  # dependent privilege descriptors still exist
    "2D": _TRANSIENT,  # invalid transaction termination
    "3B": _TRANSIENT,  # savepoint exception
    "0B": _TRANSIENT,  # invalid transaction initiation
    "0F": _OUTAGE,  # locator exception
    "0L": _OUTAGE,  # invalid grantor
    "0P": _OUTAGE,  # invalid role specification
    "0Z": _TRANSIENT,  # diagnostics exception
    "01": _TRANSIENT,  # warning
    "02": _TRANSIENT,  # no data
    "03": _TRANSIENT,  # SQL statement not yet complete
    "10": _PERMANENT,  # XQuery error
    "HV": _OUTAGE,  # foreign data wrapper error
}


def translate(exc: BaseException) -> BaseException:
    """The engine's error for an asyncpg or socket error; any other error unchanged."""
    if isinstance(exc, asyncpg.PostgresError):
        kind = CLASSES.get((exc.sqlstate or "")[:2], _TRANSIENT)
        return kind(f"{type(exc).__name__}: {exc}")
    if isinstance(exc, _base.DataError):
        # Refused on our side before it reached the server (e.g. an int past int64).
        return _PERMANENT(f"{type(exc).__name__}: {exc}")
    if isinstance(exc, OSError) and not isinstance(exc, TimeoutError):
        # A refused or reset connection: the server is not there for us. (A timeout may be a
        # slow provider as well: the engine's probe tells.)
        return _OUTAGE(f"{type(exc).__name__}: {exc}")
    # Anything else (an InterfaceError such as "connection is closed" among them) stays as it
    # is: the engine probes PostgreSQL before it counts such an attempt.
    return exc
