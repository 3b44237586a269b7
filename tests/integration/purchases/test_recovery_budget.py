"""Rule 22 on real services: retries the breaker holds back spend none of the unknown-outcome
budget, so a provider outage longer than the breaker's window no longer ends a purchase
UNKNOWN after a handful of retries that never left the switch."""

from __future__ import annotations

import asyncio

import pytest

from adapters.ppu_v3.simulator.config import Fault, Operation
from service.topics import Topic
from tests.integration.conftest import SwitchFactory
from tests.integration.purchases.kit import CITY, provider, wait_outcome
from tests.support.events import lookup, purchase

pytestmark = pytest.mark.integration
METER = "04125550022"


async def test_rule_22_retries_held_back_by_an_open_circuit_do_not_spend_the_budget(
    switch: SwitchFactory,
) -> None:
    """Two retries allowed; one reaches a down provider and opens its circuit, then many are
    held back while it is open; the provider returns and the next retry recovers the tokens."""
    rules = {
        "unknown_retries": 2,
        "unknown_deadline_s": 60.0,
        "unknown_backoff_s": 0.1,
        "lookup_deadline_s": 3.0,
    }
    breaker = {"failure_threshold": 1, "open_seconds": 3.0, "half_open_probes": 1}
    async with switch(
        provider("P1", CITY),
        config_overrides={
            "rules": rules,
            "meter_preferences": [{"meter_number": METER, "provider_id": "P1"}],
        },
        provider_overrides={
            "P1": {
                "http": {
                    "timeouts": {"lookup": 1.0, "purchase": 1.0, "retry": 1.0, "advice": 1.0},
                    "lookup_attempts": 1,
                    "breaker": breaker,
                }
            }
        },
    ) as sw:
        sim = sw.sims["P1"]
        await sw.publish(Topic.LOOKUP_REQUESTED, lookup(METER))
        await sw.wait_for(Topic.LOOKUP_COMPLETED)
        # The purchase vends at P1 but its answer is lost; then P1 answers 503 to everything.
        sim.controls.inject(Fault.HANG, count=1, operation=Operation.PURCHASE)
        request = purchase(METER)
        await sw.publish(Topic.PURCHASE_REQUESTED, request)
        async with asyncio.timeout(30):
            while not sim.ledger.vends(str(request.purchase_id)):  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        sim.controls.go_down(Fault.ERROR_503)
        await asyncio.sleep(2.0)  # a retry met the 503 and opened the circuit; others held back
        sim.controls.come_back()
        kind, event = await wait_outcome(sw, str(request.purchase_id), within_s=40)
        assert kind == "issued", event
        (vend,) = sim.ledger.vends(str(request.purchase_id))
        assert [t["token"] for t in event["tokens"]] == list(vend.tokens)
