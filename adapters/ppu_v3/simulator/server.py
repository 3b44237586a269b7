"""Run simulated providers: in-process (async context managers) or from the command line."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from adapters.ppu_v3.simulator import other_ops, vend_ops
from adapters.ppu_v3.simulator.config import Operation, SimProviderConfig, SimulatorFile
from adapters.ppu_v3.simulator.control import SimulatorControls, control_routes
from adapters.ppu_v3.simulator.ledger import Ledger
from adapters.ppu_v3.simulator.pipeline import Business, auth_middleware, serve
from adapters.ppu_v3.simulator.state import SimulatorState

BASE = "/prepaidutility/v3"
_ROUTES: tuple[tuple[str, Operation, Business], ...] = (
    ("/meterLookups/{request_id}", Operation.LOOKUP, vend_ops.lookup),
    ("/tokenPurchases/{request_id}", Operation.PURCHASE, vend_ops.purchase),
    ("/tokenPurchases/{request_id}/retry", Operation.RETRY, vend_ops.retry),
    ("/tokenPurchases/{request_id}/trial", Operation.TRIAL, vend_ops.trial),
    (
        "/tokenPurchases/{request_id}/confirmations/{advice_id}",
        Operation.CONFIRMATION,
        other_ops.advice,
    ),
    ("/tokenPurchases/{request_id}/reversals/{advice_id}", Operation.REVERSAL, other_ops.advice),
    ("/tokenReprints/{request_id}", Operation.REPRINT, other_ops.reprint),
    ("/faultReports/{request_id}", Operation.FAULT_REPORT, other_ops.fault_report),
    ("/keyChangeTokenRequests/{request_id}", Operation.KEY_CHANGE, other_ops.key_change),
    (
        "/keyChangeTokenRequests/{request_id}/confirmations/{advice_id}",
        Operation.KEY_CHANGE_CONFIRMATION,
        other_ops.key_change_confirmation,
    ),
    ("/events/tokenPurchases", Operation.PURCHASE_NOTIFICATION, other_ops.purchase_notification),
)


def _handler(
    state: SimulatorState, op: Operation, business: Business
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Bind one operation to the state through the common pipeline."""

    async def handle(request: web.Request) -> web.StreamResponse:
        """Serve one request of this operation."""
        return await serve(state, op, request, business)

    return handle


def build_app(state: SimulatorState) -> web.Application:
    """The aiohttp application of one simulated provider."""
    app = web.Application(middlewares=[auth_middleware(state)])
    app.add_routes([web.post(BASE + path, _handler(state, op, fn)) for path, op, fn in _ROUTES])
    app.add_routes(control_routes(state))
    return app


@dataclass(frozen=True, kw_only=True)
class RunningSimulator:
    """A simulated provider serving on loopback: where it is, what it vended, how to steer it."""

    base_url: str
    port: int
    state: SimulatorState
    controls: SimulatorControls

    @property
    def config(self) -> SimProviderConfig:
        """The provider's configuration now (coverage may have been changed)."""
        return self.state.config

    @property
    def ledger(self) -> Ledger:
        """Every vend and advice so far."""
        return self.state.ledger


@asynccontextmanager
async def running_simulator(
    config: SimProviderConfig | None = None,
    *,
    port: int | None = None,
    now: Callable[[], datetime] | None = None,
) -> AsyncIterator[RunningSimulator]:
    """Serve one provider (default: the TST meters) on an ephemeral loopback port, then stop."""
    config = config or SimProviderConfig()
    state = SimulatorState(config=config) if now is None else SimulatorState(config=config, now=now)
    runner = web.AppRunner(build_app(state), access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, config.host, config.port if port is None else port)
        await site.start()
        bound = runner.addresses[0][1]
        yield RunningSimulator(
            base_url=f"http://{config.host}:{bound}",
            port=bound,
            state=state,
            controls=SimulatorControls(state),
        )
    finally:
        state.close()
        await runner.cleanup()


@asynccontextmanager
async def running_simulators(
    config: SimulatorFile, *, base_port: int | None = None
) -> AsyncIterator[list[RunningSimulator]]:
    """Serve every provider of a file; a provider without a port takes base_port + its index."""
    async with AsyncExitStack() as stack:
        running = []
        for index, provider in enumerate(config.providers):
            port = provider.port or (base_port + index if base_port else 0)
            running.append(await stack.enter_async_context(running_simulator(provider, port=port)))
        yield running
