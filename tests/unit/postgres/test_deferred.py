"""Held-back writes: how they are combined, and when they must be sent."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.postgres.deferred import DeferringConnection, Write, combined


class Recorder:
    """A connection that records what reaches the server."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, tuple[Any, ...]]] = []

    async def execute(self, query: str, *args: Any) -> str:
        self.sent.append((query, args))
        return "OK"

    async def fetch(self, query: str, *args: Any) -> list[Any]:
        self.sent.append((query, args))
        return []

    async def fetchrow(self, query: str, *args: Any) -> Any:
        self.sent.append((query, args))
        return None

    async def fetchval(self, query: str, *args: Any) -> Any:
        self.sent.append((query, args))
        return None


def test_combined_renumbers_each_parts_placeholders_after_the_previous_ones() -> None:
    sql, args = combined(
        [
            Write.of("INSERT INTO a (x, y) VALUES ($1, $2::int)", (1, 2)),
            Write.of("UPDATE b SET z = $1 WHERE id = $2", ("z", 9)),
        ],
        "SELECT pg_notify($1, '')",
    )
    assert sql == (
        "WITH w0 AS (INSERT INTO a (x, y) VALUES ($1, $2::int)),\n"
        "w1 AS (UPDATE b SET z = $3 WHERE id = $4)\n"
        "SELECT pg_notify($5, '')"
    )
    assert args == [1, 2, "z", 9]


def test_a_write_names_its_table_and_anything_else_is_refused() -> None:
    assert Write.of("\n INSERT INTO meter_support (a) VALUES ($1)", (1,)).table == "meter_support"
    assert Write.of("UPDATE advices SET a = 1", ()).table == "advices"
    with pytest.raises(ValueError, match="single-table write"):
        Write.of("WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x", ())


async def test_writes_wait_for_the_next_read_and_go_before_it_in_one_statement() -> None:
    server = Recorder()
    conn = DeferringConnection(server)
    await conn.execute("INSERT INTO a (x) VALUES ($1)", 1)
    await conn.execute("INSERT INTO b (y) VALUES ($1)", 2)
    assert server.sent == []
    await conn.fetchrow("SELECT x FROM a WHERE x = $1", 1)
    assert len(server.sent) == 2
    statement, args = server.sent[0]
    assert statement.startswith("WITH w0 AS (INSERT INTO a")
    assert "w1 AS (INSERT INTO b (y) VALUES ($2))" in statement
    assert args == (1, 2)
    assert server.sent[1] == ("SELECT x FROM a WHERE x = $1", (1,))
    assert conn.pending == 0


async def test_a_second_write_to_one_table_sends_the_first_on_its_own() -> None:
    """One statement's parts share a snapshot: two writes of one row would lose one of them."""
    server = Recorder()
    conn = DeferringConnection(server)
    await conn.execute("INSERT INTO a (x) VALUES ($1)", 1)
    await conn.execute("UPDATE a SET x = $1", 2)
    assert server.sent == [("INSERT INTO a (x) VALUES ($1)", (1,))]
    await conn.flush()
    assert server.sent[1] == ("UPDATE a SET x = $1", (2,))


async def test_flush_sends_a_final_query_even_without_writes_and_nothing_when_idle() -> None:
    server = Recorder()
    conn = DeferringConnection(server)
    await conn.flush()
    assert server.sent == []
    await conn.flush("SELECT pg_notify($1, '')", "chan")
    assert server.sent == [("SELECT pg_notify($1, '')", ("chan",))]
