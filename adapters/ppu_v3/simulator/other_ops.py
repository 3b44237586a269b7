"""The simulated advices, reprint, fault report and key change operations."""

from __future__ import annotations

from aiohttp import web

from adapters.ppu_v3.simulator import replies, tst_meters
from adapters.ppu_v3.simulator.config import Operation
from adapters.ppu_v3.simulator.ledger import AdviceRecord
from adapters.ppu_v3.simulator.pipeline import Incoming
from adapters.ppu_v3.simulator.state import SimulatorState
from adapters.ppu_v3.simulator.vend_ops import known_meter, meter_of, new_request


async def advice(state: SimulatorState, incoming: Incoming) -> web.StreamResponse:
    """Confirmation or reversal: 202 with no body, 404 for an unknown purchase, dup 400."""
    advice_id = incoming.advice_id or ""
    body_id = incoming.body.get("id")
    if str(body_id) != advice_id:
        return replies.id_mismatch(body_id, advice_id)
    original = str(incoming.body.get("requestId"))
    if original not in state.purchases:
        return replies.not_located(original)
    if not state.first_use("advice", advice_id):
        return replies.duplicate(advice_id)
    confirmed = incoming.op is Operation.CONFIRMATION
    state.ledger.record_advice(
        AdviceRecord(
            advice_id=advice_id,
            purchase_id=original,
            kind="confirmation" if confirmed else "reversal",
        )
    )
    return web.Response(status=202)


async def reprint(state: SimulatorState, incoming: Incoming) -> web.StreamResponse:
    """requestTokenReprint: the token named by originalRef, or the meter's last one."""
    rejected = new_request(state, incoming)
    if rejected is not None:
        return rejected
    meter = meter_of(incoming.body)
    if not known_meter(state, meter):
        return replies.unknown_meter(meter, incoming.path_id)
    wanted = incoming.body.get("originalRef")
    found = state.last_by_meter.get(meter)
    if wanted is not None:
        found = next(
            (
                answer
                for answer in state.issued.values()
                if any(t.get("receiptNum") == wanted for t in answer.get("tokens", []))
            ),
            None,
        )
    if found is None:
        return replies.error(400, "UNABLE_TO_LOCATE_RECORD", "No token to reprint")
    return web.json_response({**found, **replies.echo(incoming.body, state.config)}, status=200)


async def fault_report(state: SimulatorState, incoming: Incoming) -> web.StreamResponse:
    """createFaultReport: reference = request time text followed by the terminal id."""
    rejected = new_request(state, incoming)
    if rejected is not None:
        return rejected
    meter = meter_of(incoming.body)
    if not known_meter(state, meter):
        return replies.unknown_meter(meter, incoming.path_id)
    terminal = incoming.body["originator"]["terminalId"]
    answer = {
        **replies.echo(incoming.body, state.config),
        "reference": f"{incoming.body['time']}{terminal}",
        "description": "Fault description to be printed on receipt",
    }
    return web.json_response(answer, status=201)


async def key_change(state: SimulatorState, incoming: Incoming) -> web.StreamResponse:
    """createKeyChangeTokenRequest: the two KC tokens (and, unlike the reference, the meter)."""
    rejected = new_request(state, incoming)
    if rejected is not None:
        return rejected
    meter = meter_of(incoming.body)
    if not known_meter(state, meter):
        return replies.unknown_meter(meter, incoming.path_id)
    answer = {
        **replies.echo(incoming.body, state.config),
        "meter": {"meterId": meter},
        "tokens": tst_meters.key_change_tokens(),
    }
    state.key_changes.add(incoming.path_id)
    return web.json_response(answer, status=201)


async def key_change_confirmation(state: SimulatorState, incoming: Incoming) -> web.StreamResponse:
    """confirmKeyChange: 202 with no body; 404 when the key change request is unknown here."""
    advice_id = incoming.advice_id or ""
    body_id = incoming.body.get("id")
    if str(body_id) != advice_id:
        return replies.id_mismatch(body_id, advice_id)
    original = str(incoming.body.get("requestId"))
    if original not in state.key_changes:
        return replies.not_located(original)
    if not state.first_use("advice", advice_id):
        return replies.duplicate(advice_id)
    state.ledger.record_advice(
        AdviceRecord(advice_id=advice_id, purchase_id=original, kind="key_change_confirmation")
    )
    return web.Response(status=202)


async def purchase_notification(state: SimulatorState, incoming: Incoming) -> web.StreamResponse:
    """notifyTokenPurchase: informational, 202 with no body; the purchase is named in the query."""
    purchase_id = incoming.path_id or str(incoming.body.get("id"))
    state.ledger.record_advice(
        AdviceRecord(
            advice_id=str(incoming.body.get("id")), purchase_id=purchase_id, kind="notification"
        )
    )
    return web.Response(status=202)
