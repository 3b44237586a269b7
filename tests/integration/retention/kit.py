"""Rows of every table retention touches, written straight into the test database with an age."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg

NOW = datetime.now(UTC)


def days_ago(days: float) -> datetime:
    """An instant `days` before the test started."""
    return NOW - timedelta(days=days)


async def outbox_row(conn: asyncpg.Connection, *, age_days: float, published: bool) -> int:
    """An outbox row created `age_days` ago, published a minute later or never; its id."""
    created = days_ago(age_days)
    published_at = created + timedelta(minutes=1) if published else None
    row_id: int = await conn.fetchval(
        "INSERT INTO outbox (topic, key, payload, event_id, created_at, published_at)"
        " VALUES ('out', 'k', '{}'::bytea, $1, $2, $3) RETURNING id",
        uuid.uuid4(),
        created,
        published_at,
    )
    return row_id


async def processed_mark(conn: asyncpg.Connection, *, age_days: float) -> uuid.UUID:
    """The mark of an input event applied `age_days` ago; its event id."""
    event_id = uuid.uuid4()
    await conn.execute(
        'INSERT INTO processed_events (consumer_group, event_id, topic, "partition", "offset",'
        " processed_at) VALUES ('g', $1, 'in', 0, 0, $2)",
        event_id,
        days_ago(age_days),
    )
    return event_id


async def purchase(conn: asyncpg.Connection, *, state: str, updated_days: float) -> uuid.UUID:
    """A purchase in `state`, last changed `updated_days` ago; its id."""
    purchase_id = uuid.uuid4()
    at = days_ago(updated_days)
    await conn.execute(
        "INSERT INTO purchases (purchase_id, request_event_id, institution_id, meter_number,"
        " amount_value, currency, utility_type, state, created_at, updated_at)"
        " VALUES ($1, $2, 'INST', '04120000001', 1000, 'ZAR', 'ELECTRICITY', $3, $4, $4)",
        purchase_id,
        uuid.uuid4(),
        state,
        at,
    )
    return purchase_id


async def attempt(conn: asyncpg.Connection, purchase_id: uuid.UUID, *, age_days: float) -> int:
    """One provider call of the purchase, `age_days` ago; its id."""
    attempt_id: int = await conn.fetchval(
        "INSERT INTO purchase_attempts (purchase_id, provider_id, operation, result, at)"
        " VALUES ($1, 'P1', 'PURCHASE', 'ISSUED', $2) RETURNING id",
        purchase_id,
        days_ago(age_days),
    )
    return attempt_id


async def advice(
    conn: asyncpg.Connection, purchase_id: uuid.UUID, *, state: str, age_days: float
) -> uuid.UUID:
    """An advice of the purchase queued `age_days` ago, finished then unless PENDING; its id."""
    advice_id = uuid.uuid4()
    at = days_ago(age_days)
    await conn.execute(
        "INSERT INTO advices (advice_id, purchase_id, provider_id, kind, state,"
        " next_attempt_at, created_at, finished_at)"
        " VALUES ($1, $2, 'P1', 'CONFIRMATION', $3, $4, $4, $5)",
        advice_id,
        purchase_id,
        state,
        at,
        None if state == "PENDING" else at,
    )
    return advice_id


async def ids(conn: asyncpg.Connection, table: str, column: str) -> set[object]:
    """Every value of `column` left in `table`."""
    return {r[0] for r in await conn.fetch(f"SELECT {column} FROM {table}")}
