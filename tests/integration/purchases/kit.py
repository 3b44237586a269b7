"""Shared pieces of the purchase tests: coverage, requests and ledger reads."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from adapters.ppu_v3.simulator.config import Faults, SimProviderConfig, UtilityCoverage
from schemas.v1.inputs import PurchaseRequested
from service.topics import Topic
from tests.support.switch import RunningSwitch, sim_provider

CITY = UtilityCoverage(utility_id="CPW", name="City Power", prefixes=["0412"])
TSHWANE = UtilityCoverage(utility_id="TSH", name="Tshwane Metro", prefixes=["0713"])
QUICK_HANG = Faults(hang_seconds=2.0)


def provider(provider_id: str, *utilities: UtilityCoverage, **extra: Any) -> SimProviderConfig:
    """A simulated provider whose hangs outlast the switch's 1 s timeout only briefly."""
    return sim_provider(provider_id, *utilities, faults=QUICK_HANG, **extra)


async def outcome(
    sw: RunningSwitch, request: PurchaseRequested, *, within_s: float = 30.0
) -> tuple[str, dict[str, Any]]:
    """Publish the request and wait for its outcome: ("issued" | "failed", event)."""
    await sw.publish(Topic.PURCHASE_REQUESTED, request)
    return await wait_outcome(sw, str(request.purchase_id), within_s=within_s)


async def wait_outcome(
    sw: RunningSwitch, purchase_id: str, *, count: int = 1, within_s: float = 30.0
) -> tuple[str, dict[str, Any]]:
    """The first outcome event of a purchase, after `count` of them arrived."""

    def mine(e: dict[str, Any]) -> bool:
        return e.get("purchase_id") == purchase_id

    async with asyncio.timeout(within_s):
        while True:
            issued = sw.seen(Topic.TOKEN_ISSUED, mine)
            failed = sw.seen(Topic.PURCHASE_FAILED, mine)
            if len(issued) + len(failed) >= count:
                return ("issued", issued[0]) if issued else ("failed", failed[0])
            await asyncio.sleep(0.05)


def vends(sw: RunningSwitch, purchase_id: uuid.UUID | str) -> dict[str, int]:
    """How many times each simulated provider vended this purchase id."""
    return {
        pid: len(sim.ledger.vends(str(purchase_id)))
        for pid, sim in sw.sims.items()
        if sim.ledger.vends(str(purchase_id))
    }
