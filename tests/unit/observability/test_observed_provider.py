"""The provider decorator: answers pass through, each call is classified and timed."""

from __future__ import annotations

from datetime import UTC, datetime

from service.domain import provider_results as r
from service.domain.money import Money
from service.observability.observatory import Observatory
from service.observability.source import provider_figures
from service.ports import provider as port

NOW = datetime(2026, 1, 1, tzinfo=UTC)


class Scripted:
    """A provider that answers each call with the next scripted outcome."""

    provider_id = "P1"
    circuit_state = r.CircuitState.HALF_OPEN
    not_offered = frozenset({"trial"})

    def __init__(self, *outcomes: object) -> None:
        self._outcomes = list(outcomes)

    async def lookup_meter(self, request: port.LookupRequest) -> r.LookupOutcome:
        """The next outcome."""
        return self._outcomes.pop(0)  # type: ignore[return-value]

    async def purchase_token(self, request: port.PurchaseRequest) -> r.PurchaseOutcome:
        """The next outcome."""
        return self._outcomes.pop(0)  # type: ignore[return-value]

    async def retry_purchase(self, request: port.PurchaseRequest) -> r.PurchaseOutcome:
        """The next outcome."""
        return self._outcomes.pop(0)  # type: ignore[return-value]

    async def confirm_purchase(self, advice: port.ConfirmationAdvice) -> r.AdviceOutcome:
        """The next outcome."""
        return self._outcomes.pop(0)  # type: ignore[return-value]

    async def reverse_purchase(self, advice: port.ReversalAdvice) -> r.AdviceOutcome:
        """The next outcome."""
        return self._outcomes.pop(0)  # type: ignore[return-value]


def lookup() -> port.LookupRequest:
    """A lookup request."""
    return port.LookupRequest(
        lookup_id="L1", institution_id="INST", meter_number="0412", requested_at=NOW
    )


async def test_calls_are_classified_success_failed_unknown_and_timeouts_counted() -> None:
    """Succeeded, Failed and Unknown(TIMEOUT) each count once; the answer is unchanged."""
    failed = r.Failed(kind=r.FailureKind.NOT_SUPPORTED, status=400)
    timeout = r.Unknown(kind=r.UnknownKind.TIMEOUT)
    inner = Scripted(r.Succeeded(value=object(), status=201), failed, timeout, timeout)
    observatory = Observatory(window_s=60)
    provider = observatory.wrap({"P1": inner})["P1"]
    await provider.lookup_meter(lookup())
    assert await provider.lookup_meter(lookup()) is failed
    await provider.lookup_meter(lookup())
    purchase = port.PurchaseRequest(
        purchase_id="X",
        institution_id="INST",
        meter_number="0412",
        amount=Money(value=100, currency="ZAR"),
        requested_at=NOW,
    )
    await provider.purchase_token(purchase)
    (reading,) = observatory.readings()
    window = reading.window
    assert (window.requests, window.successes, window.failures, window.unknowns) == (4, 1, 1, 2)
    assert window.timeouts == 2
    assert reading.totals["op:purchase"] == 1
    assert reading.circuit is r.CircuitState.HALF_OPEN
    assert provider.circuit_state is r.CircuitState.HALF_OPEN
    assert provider.provider_id == "P1"


async def test_operations_not_offered_reach_the_snapshot() -> None:
    """What the provider does not offer is in its reading and its `ppu.metrics` entry."""
    observatory = Observatory(window_s=60)
    provider = observatory.wrap({"P1": Scripted()})["P1"]
    (reading,) = observatory.readings()
    assert provider.not_offered == frozenset({"trial"})
    assert reading.not_offered == ("trial",)
    assert provider_figures(reading).not_offered == ["trial"]


async def test_a_business_decline_is_told_apart_from_an_error_answer() -> None:
    """Not supported is a decline; a 503 and a refused connection are definite failures too,
    but errors: the snapshot's `declines` counts only the first."""
    inner = Scripted(
        r.Failed(kind=r.FailureKind.NOT_SUPPORTED, status=400),
        r.Failed(kind=r.FailureKind.UNAVAILABLE, status=503),
        r.Failed(kind=r.FailureKind.UNREACHABLE),
    )
    observatory = Observatory(window_s=60)
    provider = observatory.wrap({"P1": inner})["P1"]
    for _ in range(3):
        await provider.lookup_meter(lookup())
    (reading,) = observatory.readings()
    figures = provider_figures(reading)
    assert (figures.failures, figures.declines) == (3, 1)
