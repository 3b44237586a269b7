"""The PPU v3 provider client: implements the provider port over HTTP for one provider."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from types import TracebackType
from typing import Self, TypeVar

from adapters.ppu_v3 import from_wire, to_wire, to_wire_extras
from adapters.ppu_v3.breaker import BreakerSnapshot, CircuitBreaker
from adapters.ppu_v3.calls import Call, CallRunner
from adapters.ppu_v3.offered import OfferedOperations
from adapters.ppu_v3.resends import RetryPolicy
from adapters.ppu_v3.settings import ProviderSettings
from adapters.ppu_v3.transport import ProviderTransport
from adapters.ppu_v3.wire import messages as m
from service.domain import provider_results as r
from service.ports import provider as port

T = TypeVar("T")


def _new_id() -> str:
    """A random (v4) UUID, as the interface wants every id."""
    return str(uuid.uuid4())


class PpuV3Client:
    """A provider behind the v3 interface; use inside `async with`; no method raises."""

    def __init__(
        self,
        *,
        settings: ProviderSettings,
        clock: Callable[[], float] = time.monotonic,
        new_id: Callable[[], str] = _new_id,
    ) -> None:
        """Prepare the provider's transport and breaker (no I/O until __aenter__)."""
        self._settings = settings
        self._new_id = new_id
        self._transport = ProviderTransport(settings)
        self._breaker = CircuitBreaker(settings.breaker, clock=clock)
        self._runner = CallRunner(
            settings=settings, transport=self._transport, breaker=self._breaker
        )
        self._offered = OfferedOperations(settings.provider_id)

    async def __aenter__(self) -> Self:
        """Open the provider's session."""
        await self._transport.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the provider's session."""
        await self._transport.__aexit__(exc_type, exc, tb)

    @property
    def provider_id(self) -> str:
        """The provider's institution id."""
        return self._settings.provider_id

    @property
    def circuit_state(self) -> r.CircuitState:
        """The provider's circuit state now."""
        return self._breaker.state

    @property
    def not_offered(self) -> frozenset[str]:
        """Optional operations this provider answered 404/501 to (never sent again)."""
        return self._offered.not_offered

    def breaker_snapshot(self) -> BreakerSnapshot:
        """State, failure run and opening time, for metrics."""
        return self._breaker.snapshot()

    async def _optional(
        self, call: Call, parse: Callable[[bytes], T]
    ) -> r.Succeeded[T] | r.Failed | r.Unknown:
        """An optional operation: not sent when known absent, and learnt from its answer."""
        remembered = self._offered.remembered_answer(call.operation)
        if remembered is not None:
            return remembered
        outcome = await self._runner.run(call, parse)
        self._offered.learn(call.operation, outcome)
        return outcome

    async def lookup_meter(self, request: port.LookupRequest) -> r.LookupOutcome:
        """Look a meter up, resending with a fresh id where that is safe."""
        ours = self._settings.originator

        def build() -> tuple[str, dict[str, object]]:
            """Each attempt gets a fresh wire id, so a resend is never a duplicate."""
            wire_id = self._new_id()
            body = to_wire.lookup_body(request, wire_id=wire_id, ours=ours)
            return f"/meterLookups/{wire_id}", body.to_wire()

        call = Call(
            operation="lookup",
            build=build,
            timeout=self._settings.timeouts.lookup,
            policy=RetryPolicy.LOOKUP,
            request_id=request.lookup_id,
        )
        number = to_wire.wire_meter_id(request.meter_number)
        return await self._runner.run(
            call,
            lambda raw: from_wire.meter_info(
                m.MeterLookupResponse.model_validate_json(raw), number
            ),
        )

    async def purchase_token(self, request: port.PurchaseRequest) -> r.PurchaseOutcome:
        """Send a new purchase exactly once."""
        return await self._purchase_like(
            request, "purchase", f"/tokenPurchases/{request.purchase_id}", RetryPolicy.NEVER
        )

    async def retry_purchase(self, request: port.PurchaseRequest) -> r.PurchaseOutcome:
        """Resend the original purchase body on the retry path (same purchase id)."""
        return await self._purchase_like(
            request, "retry", f"/tokenPurchases/{request.purchase_id}/retry", RetryPolicy.UNREACHED
        )

    async def trial_purchase(self, request: port.PurchaseRequest) -> r.PurchaseOutcome:
        """A purchase with no financial effect (the purchase id is the trial id)."""
        return await self._purchase_like(
            request,
            "trial",
            f"/tokenPurchases/{request.purchase_id}/trial",
            RetryPolicy.UNREACHED,
            optional=True,
        )

    async def _purchase_like(
        self,
        request: port.PurchaseRequest,
        operation: str,
        path: str,
        policy: RetryPolicy,
        *,
        optional: bool = False,
    ) -> r.PurchaseOutcome:
        """Purchase, retry and trial share the body and the answer."""
        payload = to_wire.purchase_body(request, ours=self._settings.originator).to_wire()
        call = Call(
            operation=operation,
            build=lambda: (path, payload),
            timeout=getattr(self._settings.timeouts, operation),
            policy=policy,
            request_id=request.purchase_id,
        )
        if optional:
            return await self._optional(call, _receipt_parser(request.purchase_id))
        return await self._runner.run(call, _receipt_parser(request.purchase_id))

    async def confirm_purchase(self, advice: port.ConfirmationAdvice) -> r.AdviceOutcome:
        """Deliver a confirmation advice."""
        path = f"/tokenPurchases/{advice.purchase_id}/confirmations/{advice.advice_id}"
        body = to_wire.confirmation_body(advice)
        return await self._advice("confirmation", path, body, advice.advice_id)

    async def reverse_purchase(self, advice: port.ReversalAdvice) -> r.AdviceOutcome:
        """Deliver a reversal advice."""
        path = f"/tokenPurchases/{advice.purchase_id}/reversals/{advice.advice_id}"
        return await self._advice("reversal", path, to_wire.reversal_body(advice), advice.advice_id)

    async def _advice(
        self,
        operation: str,
        path: str,
        body: m.BasicAdvice | m.PurchaseResponse,
        advice_id: str,
        *,
        optional: bool = False,
    ) -> r.AdviceOutcome:
        """Advices: any 2xx is delivered, and so is 400 DUPLICATE_RECORD (sent before)."""
        payload = body.to_wire()
        call = Call(
            operation=operation,
            build=lambda: (path, payload),
            timeout=self._settings.timeouts.advice,
            policy=RetryPolicy.UNREACHED,
            request_id=advice_id,
        )
        run = self._optional if optional else self._runner.run
        outcome = await run(call, lambda _raw: r.AdviceAck())
        if isinstance(outcome, r.Failed) and outcome.kind is r.FailureKind.DUPLICATE:
            return r.Succeeded(
                value=r.AdviceAck(already_delivered=True), status=outcome.status or 400
            )
        return outcome

    async def reprint_token(self, request: port.ReprintRequest) -> r.PurchaseOutcome:
        """Get a token issued before again."""
        payload = to_wire_extras.reprint_body(request, ours=self._settings.originator).to_wire()
        call = Call(
            operation="reprint",
            build=lambda: (f"/tokenReprints/{request.reprint_id}", payload),
            timeout=self._settings.timeouts.reprint,
            policy=RetryPolicy.UNREACHED,
            request_id=request.reprint_id,
        )
        return await self._optional(call, _receipt_parser(request.reprint_id))

    async def report_fault(self, report: port.FaultReport) -> r.FaultReportOutcome:
        """Report a meter fault."""
        payload = to_wire_extras.fault_report_body(report, ours=self._settings.originator).to_wire()
        call = Call(
            operation="fault_report",
            build=lambda: (f"/faultReports/{report.report_id}", payload),
            timeout=self._settings.timeouts.fault_report,
            policy=RetryPolicy.UNREACHED,
            request_id=report.report_id,
        )
        return await self._optional(
            call,
            lambda raw: from_wire.fault_receipt(m.FaultReportResponse.model_validate_json(raw)),
        )

    async def request_key_change(self, request: port.KeyChangeRequest) -> r.KeyChangeOutcome:
        """Get key change tokens."""
        payload = to_wire_extras.key_change_body(request, ours=self._settings.originator).to_wire()
        call = Call(
            operation="key_change",
            build=lambda: (f"/keyChangeTokenRequests/{request.request_id}", payload),
            timeout=self._settings.timeouts.key_change,
            policy=RetryPolicy.UNREACHED,
            request_id=request.request_id,
        )
        return await self._optional(
            call,
            lambda raw: from_wire.key_change_tokens(
                m.KeyChangeTokenResponse.model_validate_json(raw)
            ),
        )

    async def confirm_key_change(self, confirmation: port.KeyChangeConfirmation) -> r.AdviceOutcome:
        """Confirm key change tokens reached the customer (optional operation, since 3.12)."""
        path = (
            f"/keyChangeTokenRequests/{confirmation.request_id}"
            f"/confirmations/{confirmation.confirmation_id}"
        )
        body = to_wire_extras.key_change_confirmation_body(confirmation)
        return await self._advice(
            "key_change_confirmation", path, body, confirmation.confirmation_id, optional=True
        )

    async def notify_purchase(self, notification: port.PurchaseNotification) -> r.AdviceOutcome:
        """Tell the provider about a completed purchase (optional, informational, since 3.10)."""
        path = f"/events/tokenPurchases?purchaseId={notification.purchase_id}"
        body = to_wire_extras.notification_body(notification, ours=self._settings.originator)
        return await self._advice(
            "purchase_notification", path, body, notification.notification_id, optional=True
        )


def _receipt_parser(request_id: str) -> Callable[[bytes], r.PurchaseReceipt]:
    """Parse a PurchaseResponse body into a receipt."""
    return lambda raw: from_wire.receipt(m.PurchaseResponse.model_validate_json(raw), request_id)
