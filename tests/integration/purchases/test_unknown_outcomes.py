"""Unknown outcomes (rule 8) and store-and-forward reversals (rule 13), across a restart."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import asyncpg
import pytest

from adapters.ppu_v3.simulator.config import Fault, Operation
from adapters.ppu_v3.simulator.server import running_simulator
from service.topics import Topic
from tests.integration.conftest import SwitchFactory
from tests.integration.purchases.kit import CITY, provider, wait_outcome
from tests.support.events import lookup, purchase
from tests.support.switch import ENGINE, running_switch

pytestmark = pytest.mark.integration


async def _advice_state(database_url: str, purchase_id: object) -> list[tuple[str, str]]:
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch(
            "SELECT kind, state FROM advices WHERE purchase_id = $1 ORDER BY created_at",
            purchase_id,
        )
    finally:
        await conn.close()
    return [(r["kind"], r["state"]) for r in rows]


async def test_still_unknown_fails_unknown_and_the_reversal_survives_a_restart(
    kafka_bootstrap: str, database_url: str, topic_prefix: str
) -> None:
    """Rules 8 and 13: retries spent → UNKNOWN, never a purchase elsewhere; the reversal is
    delivered by the next instance once the provider is back."""
    meter = "04125550001"
    request = purchase(meter)
    async with AsyncExitStack() as stack:
        sims = [
            await stack.enter_async_context(running_simulator(provider(pid, CITY)))
            for pid in ("P1", "P2")
        ]
        common = {
            "kafka_bootstrap": kafka_bootstrap,
            "database_url": database_url,
            "prefix": topic_prefix,
            "simulators": sims,
            "config_overrides": {
                "meter_preferences": [{"meter_number": meter, "provider_id": "P1"}],
            },
        }
        async with running_switch(**common) as sw:  # type: ignore[arg-type]
            await sw.publish(Topic.LOOKUP_REQUESTED, lookup(meter))
            await sw.wait_for(Topic.LOOKUP_COMPLETED)
            # The purchase reaches P1 and vends, but its answer never comes back in time; then
            # P1 answers 503 to everything, so every retry and the reversal stay unanswered.
            sims[0].controls.inject(Fault.HANG, count=1, operation=Operation.PURCHASE)
            await sw.publish(Topic.PURCHASE_REQUESTED, request)
            async with asyncio.timeout(30):
                while not sims[0].ledger.vends(str(request.purchase_id)):  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
            sims[0].controls.go_down(Fault.ERROR_503)
            kind, failed = await wait_outcome(sw, str(request.purchase_id), within_s=60)
            assert (kind, failed["outcome"], failed["provider_id"]) == ("failed", "UNKNOWN", "P1")
            assert await _advice_state(database_url, request.purchase_id) == [
                ("REVERSAL", "PENDING")
            ]
        assert len(sims[0].ledger.vends(str(request.purchase_id))) == 1
        assert not sims[1].ledger.vends(str(request.purchase_id))  # never re-sent elsewhere
        sims[0].controls.come_back()
        async with running_switch(**common) as sw:  # type: ignore[arg-type]
            async with asyncio.timeout(30):
                while not sims[0].ledger.advices(str(request.purchase_id)):  # noqa: ASYNC110
                    await asyncio.sleep(0.05)
            (advice,) = sims[0].ledger.advices(str(request.purchase_id))
            assert advice.kind == "reversal"
            assert not sw.seen(Topic.TOKEN_ISSUED)
        assert await _advice_state(database_url, request.purchase_id) == [("REVERSAL", "DELIVERED")]


async def test_a_purchase_whose_handler_gave_up_while_sent_is_still_recovered(
    switch: SwitchFactory,
) -> None:
    """Rule 8 and no lost outcome: the handler's deadline ends while the purchase is SENT and
    the input is dead-lettered; the recovery worker finds the stale SENT purchase, recovers
    its tokens with the retry operation, and publishes the outcome, with one vend."""
    short_deadline = ENGINE.model_copy(
        update={"event_deadline_s": 0.5, "max_attempts": 1, "backoff_base_s": 0.01}
    )
    meter = "04125550002"
    async with switch(provider("P1", CITY), engine=short_deadline) as sw:
        await sw.publish(Topic.LOOKUP_REQUESTED, lookup(meter))
        await sw.wait_for(Topic.LOOKUP_COMPLETED)
        # P1 vends, then answers after 2 s; the handler's 0.5 s deadline cancels the call first.
        sw.sims["P1"].controls.inject(Fault.HANG, count=1, operation=Operation.PURCHASE)
        request = purchase(meter)
        await sw.publish(Topic.PURCHASE_REQUESTED, request)
        (letter,) = await sw.wait_for(Topic.DEAD_LETTER)
        assert letter["reason"] == "handler deadline exceeded"
        kind, issued = await wait_outcome(sw, str(request.purchase_id), within_s=60)
        assert kind == "issued"
        (vend,) = sw.sims["P1"].ledger.vends(str(request.purchase_id))
        assert [t["token"] for t in issued["tokens"]] == list(vend.tokens)
