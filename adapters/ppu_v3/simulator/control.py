"""Control and ledger endpoints (/_sim/...), and the same controls for in-process use."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from pydantic import BaseModel, ConfigDict, ValidationError

from adapters.ppu_v3.simulator.config import Fault, Operation, UtilityCoverage
from adapters.ppu_v3.simulator.state import SimulatorState


class SimulatorControls:
    """Take a simulated provider down, bring it back, change its coverage, script faults."""

    def __init__(self, state: SimulatorState) -> None:
        """Control one provider's state."""
        self._state = state

    def go_down(self, fault: Fault = Fault.ERROR_503) -> None:
        """Answer every request with `fault` until come_back()."""
        self._state.down_fault = fault

    def come_back(self) -> None:
        """Serve normally again."""
        self._state.down_fault = None

    def set_coverage(
        self, utilities: list[UtilityCoverage], *, test_meters: bool | None = None
    ) -> None:
        """Replace the utilities and meters served (coverage changes monthly in real life)."""
        changes: dict[str, Any] = {"utilities": utilities}
        if test_meters is not None:
            changes["test_meters"] = test_meters
        self._state.config = self._state.config.model_copy(update=changes)

    def inject(self, fault: Fault, *, count: int = 1, operation: Operation | None = None) -> None:
        """Answer the next `count` matching requests with `fault`."""
        self._state.inject(fault, count=count, operation=operation)

    def describe(self) -> dict[str, Any]:
        """Identity, availability, coverage and scripted faults, as JSON."""
        state = self._state
        return {
            "providerId": state.config.provider_id,
            "name": state.config.name,
            "up": state.down_fault is None,
            "downFault": state.down_fault,
            "testMeters": state.config.test_meters,
            "utilities": [u.model_dump() for u in state.config.utilities],
            "scriptedFaults": [
                {"fault": s.fault, "remaining": s.remaining, "operation": s.operation}
                for s in state.script
            ],
        }


class _DownBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fault: Fault = Fault.ERROR_503


class _FaultBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fault: Fault
    count: int = 1
    operation: Operation | None = None


class _CoverageBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    utilities: list[UtilityCoverage]
    test_meters: bool | None = None


async def _json(request: web.Request) -> Any:
    """The request's JSON body, or an empty object when there is none."""
    raw = await request.read()
    return json.loads(raw) if raw else {}


def control_routes(state: SimulatorState) -> list[web.RouteDef]:
    """The /_sim routes for one provider."""
    controls = SimulatorControls(state)

    async def describe(_: web.Request) -> web.Response:
        """GET /_sim/state."""
        return web.json_response(controls.describe())

    async def down(request: web.Request) -> web.Response:
        """POST /_sim/down {"fault": "503"}."""
        controls.go_down(_DownBody.model_validate(await _json(request)).fault)
        return web.json_response(controls.describe())

    async def up(_: web.Request) -> web.Response:
        """POST /_sim/up."""
        controls.come_back()
        return web.json_response(controls.describe())

    async def coverage(request: web.Request) -> web.Response:
        """PUT /_sim/coverage {"utilities": [...], "test_meters": bool}."""
        body = _CoverageBody.model_validate(await _json(request))
        controls.set_coverage(body.utilities, test_meters=body.test_meters)
        return web.json_response(controls.describe())

    async def faults(request: web.Request) -> web.Response:
        """POST /_sim/faults {"fault": ..., "count": n, "operation": ...}."""
        body = _FaultBody.model_validate(await _json(request))
        controls.inject(body.fault, count=body.count, operation=body.operation)
        return web.json_response(controls.describe())

    async def ledger(request: web.Request) -> web.Response:
        """GET /_sim/ledger[/{purchase_id}]."""
        return web.json_response(state.ledger.to_json(request.match_info.get("purchase_id")))

    return [
        web.get("/_sim/state", describe),
        web.post("/_sim/down", _guarded(down)),
        web.post("/_sim/up", up),
        web.put("/_sim/coverage", _guarded(coverage)),
        web.post("/_sim/faults", _guarded(faults)),
        web.get("/_sim/ledger", ledger),
        web.get("/_sim/ledger/{purchase_id}", ledger),
    ]


def _guarded(handler: Any) -> Any:
    """Answer 400 with the reason when a control body is invalid."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        """Run the control, mapping a validation error to 400."""
        try:
            response: web.StreamResponse = await handler(request)
        except (ValidationError, ValueError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return response

    return guarded
