"""Rule 19 on real services: PostgreSQL going away mid-stream is an outage, not poison.

The test's database stops accepting connections and every session of the switch is
terminated, for longer than every retry of the engine together would last; then it comes back.
Every request gets exactly one outcome, none is dead-lettered, and `/readyz`'s consumer check
(the runner's outage gate) reported the outage while it lasted.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import pytest

from service.topics import Topic
from tests.integration.conftest import SwitchFactory
from tests.integration.purchases.kit import CITY, provider, vends
from tests.support.events import lookup, purchase
from tests.support.switch import ENGINE

pytestmark = pytest.mark.integration
# Retries alone would give up within about a second: the outage lasts far longer.
IMPATIENT = ENGINE.model_copy(
    update={"max_attempts": 2, "backoff_base_s": 0.05, "backoff_cap_s": 0.1}
)
OUTAGE_S = 6.0


async def _cut(admin_url: str, database: str, *, allow: bool) -> None:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {str(allow).lower()}')
        if not allow:
            await conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = $1 AND pid <> pg_backend_pid()",
                database,
            )
    finally:
        await conn.close()


async def test_rule_19_a_database_outage_mid_stream_loses_nothing_and_dead_letters_nothing(
    switch: SwitchFactory, database_url: str, service_endpoints: dict[str, str]
) -> None:
    """60 lookups and purchases, the database gone for 6 s in the middle: 60 outcomes after."""
    admin_url = service_endpoints["PPU_DATABASE_URL"]
    database = urlsplit(database_url).path.lstrip("/")
    async with switch(provider("P1", CITY), engine=IMPATIENT) as sw:
        requests: list[Any] = []
        for n in range(30):
            requests.append(lookup(f"0412700{n:04d}"))
            requests.append(purchase(f"0412701{n:04d}"))
        for request in requests[:20]:
            await sw.publish(Topic(_topic(request)), request)
        await _cut(admin_url, database, allow=False)
        try:
            for request in requests[20:]:
                await sw.publish(Topic(_topic(request)), request)
            await asyncio.sleep(OUTAGE_S / 2)
            saw_outage = sw.app.runner.gate.closed
            await asyncio.sleep(OUTAGE_S / 2)
        finally:
            await _cut(admin_url, database, allow=True)
        async with asyncio.timeout(60):
            while len(_answered(sw)) + len(sw.seen(Topic.DEAD_LETTER)) < len(requests):  # noqa: ASYNC110
                await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # and nothing more
        answered = _answered(sw)
        letters = [(d["error_type"], d["reason"]) for d in sw.seen(Topic.DEAD_LETTER)]
        assert letters == []
        assert sorted(answered) == sorted(_id(r) for r in requests)
        assert saw_outage, "the outage gate never closed"
        assert not sw.app.runner.gate.closed
        for request in requests[1::2]:
            assert sum(vends(sw, request.purchase_id).values()) == 1


def _topic(request: Any) -> str:
    kind = "purchase" if hasattr(request, "purchase_id") else "lookup"
    return f"ppu.{kind}.requested"


def _id(request: Any) -> str:
    return str(getattr(request, "purchase_id", None) or request.lookup_id)


def _answered(sw: Any) -> list[str]:
    ids = [e["lookup_id"] for e in sw.seen(Topic.LOOKUP_COMPLETED)]
    ids += [e["purchase_id"] for e in sw.seen(Topic.TOKEN_ISSUED)]
    ids += [e["purchase_id"] for e in sw.seen(Topic.PURCHASE_FAILED)]
    return ids
