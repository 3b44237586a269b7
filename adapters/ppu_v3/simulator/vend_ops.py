"""The simulated purchase family: lookup, purchase, retry, trial, each recorded in the ledger."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from adapters.ppu_v3.simulator import replies, tst_meters, vending
from adapters.ppu_v3.simulator.config import UtilityCoverage
from adapters.ppu_v3.simulator.ledger import Vend
from adapters.ppu_v3.simulator.pipeline import Incoming, pause
from adapters.ppu_v3.simulator.state import SimulatorState


def meter_of(body: dict[str, Any]) -> str:
    """The request's meter id (validation guarantees it is there)."""
    return str(body["meter"]["meterId"])


def known_meter(state: SimulatorState, meter: str) -> bool:
    """Tell whether this provider serves the meter."""
    if state.config.test_meters and tst_meters.is_tst_meter(meter):
        return True
    return state.coverage_for(meter) is not None


def new_request(state: SimulatorState, incoming: Incoming) -> web.Response | None:
    """Reference checks 2 and 3: path id equals body id, and the id is new."""
    body_id = incoming.body.get("id")
    if str(body_id) != incoming.path_id:
        return replies.id_mismatch(body_id, incoming.path_id)
    if not state.first_use("request", incoming.path_id):
        return replies.duplicate(incoming.path_id)
    return None


async def lookup(state: SimulatorState, incoming: Incoming) -> web.StreamResponse:
    """createMeterLookup."""
    rejected = new_request(state, incoming)
    if rejected is not None:
        return rejected
    meter = meter_of(incoming.body)
    echoed = replies.echo(incoming.body, state.config)
    if state.config.test_meters and tst_meters.is_tst_meter(meter):
        return web.json_response({**echoed, **tst_meters.lookup_part(meter)}, status=201)
    utility = state.coverage_for(meter)
    if utility is None:
        return replies.unknown_meter(meter, incoming.path_id)
    part = vending.lookup_part(utility, meter, free_due=state.free_units_due(meter))
    return web.json_response({**echoed, **part}, status=201)


def _amount(body: dict[str, Any]) -> int:
    """The purchase amount (validated as digits)."""
    return int(body["purchaseAmount"]["amount"])


def quote(
    state: SimulatorState, body: dict[str, Any], purchase_id: str
) -> dict[str, Any] | web.Response:
    """The meter-specific answer to a purchase, or the decline; changes no state."""
    meter, cents = meter_of(body), _amount(body)
    if state.config.test_meters and tst_meters.is_tst_meter(meter):
        if cents != tst_meters.tst_amount(meter):
            return replies.error(
                400, "INVALID_AMOUNT", "Invalid request amount", "Amount must match the test case"
            )
        return tst_meters.purchase_part(meter)
    utility = state.coverage_for(meter)
    if utility is None:
        return replies.unknown_meter(meter, purchase_id)
    decline = _decline(state, utility, meter, cents)
    if decline is not None:
        return decline
    free_due = state.free_units_due(meter) and utility.free_units > 0
    return vending.purchase_part(
        utility, meter, purchase_id=purchase_id, cents=cents, free_due=free_due
    )


def _decline(
    state: SimulatorState, utility: UtilityCoverage, meter: str, cents: int
) -> web.Response | None:
    """A configured utility's reasons to decline: blocked meter, no free units, bad amount."""
    if meter in utility.blocked:
        return replies.error(
            400, "METER_ID_BLOCKED", "Meter blocked", "Blocked by the municipality"
        )
    if cents == 0 and not (state.free_units_due(meter) and utility.free_units > 0):
        return replies.error(400, "NO_FREE_UNITS_DUE", "No free units due")
    if cents and not utility.min_amount <= cents <= utility.max_amount:
        return replies.error(400, "INVALID_AMOUNT", "Invalid request amount")
    return None


def vend(state: SimulatorState, body: dict[str, Any], purchase_id: str, via: str) -> web.Response:
    """Issue tokens once for a purchase id and record the vend."""
    part = quote(state, body, purchase_id)
    if isinstance(part, web.Response):
        return part
    meter = meter_of(body)
    if any(t.get("tokenType") == "BSST" for t in part["tokens"]):
        state.claim_free_units(meter)
    answer = {**replies.echo(body, state.config), **part}
    state.issued[purchase_id] = answer
    state.last_by_meter[meter] = answer
    state.ledger.record_vend(
        Vend(
            purchase_id=purchase_id,
            meter_id=meter,
            amount=_amount(body),
            tokens=tuple(t.get("token") for t in part["tokens"]),
            via="retry" if via == "retry" else "purchase",
        )
    )
    return web.json_response(answer, status=201)


async def purchase(state: SimulatorState, incoming: Incoming) -> web.StreamResponse:
    """createTokenPurchaseRequest: stored before any later check, as the reference does."""
    rejected = new_request(state, incoming)
    if rejected is not None:
        return rejected
    state.purchases[incoming.path_id] = incoming.body
    if state.config.test_meters and meter_of(incoming.body) == tst_meters.SLOW_METER:
        await pause(state, state.config.slow_meter_seconds)
        return replies.error(
            504, "UPSTREAM_UNAVAILABLE", "Timeout", "No response from upstream service"
        )
    return vend(state, incoming.body, incoming.path_id, "purchase")


async def retry(state: SimulatorState, incoming: Incoming) -> web.StreamResponse:
    """retryPurchaseRequest: found by the path id; the tokens already issued come back unchanged.

    The answer carries the retry request's own base fields (its `id` and `time`), as Electrum's
    test pack checks ("Correct id returned"), around the tokens of the one vend.
    """
    purchase_id = incoming.path_id
    issued = state.issued.get(purchase_id)
    if issued is None:
        original = state.purchases.get(purchase_id)
        if original is None and state.config.retry_unknown == "decline":
            return replies.not_located(purchase_id)
        state.purchases.setdefault(purchase_id, incoming.body)
        answer = vend(state, original or incoming.body, purchase_id, "retry")
        issued = state.issued.get(purchase_id)
        if issued is None:  # declined (unknown meter, wrong amount, ...): the decline stands
            return answer
    return web.json_response({**issued, **replies.echo(incoming.body, state.config)}, status=201)


async def trial(state: SimulatorState, incoming: Incoming) -> web.StreamResponse:
    """trialTokenPurchaseRequest: the purchase's answer with no effect and no valid tokens."""
    rejected = new_request(state, incoming)
    if rejected is not None:
        return rejected
    part = quote(state, incoming.body, incoming.path_id)
    if isinstance(part, web.Response):
        return part
    tokens = [{k: v for k, v in t.items() if k != "token"} for t in part["tokens"]]
    answer = {**replies.echo(incoming.body, state.config), **part, "tokens": tokens}
    return web.json_response(answer, status=200)
