"""The provider port: what the switch asks of a PPU service provider, and the requests it sends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from service.domain.money import Money
from service.domain.provider_results import (
    AdviceOutcome,
    CircuitState,
    FaultReportOutcome,
    KeyChangeOutcome,
    LookupOutcome,
    PurchaseOutcome,
    PurchaseReceipt,
    ThirdPartyRef,
)


class ReversalReason(StrEnum):
    """Why a sale did not complete (interface 2.2)."""

    TIMEOUT = "TIMEOUT"
    CANCELLED = "CANCELLED"
    RESPONSE_NOT_FINAL = "RESPONSE_NOT_FINAL"


@dataclass(frozen=True, kw_only=True)
class LookupRequest:
    """Ask a provider about a meter; lookup_id is our reference, the wire id is per attempt."""

    lookup_id: str
    institution_id: str
    meter_number: str
    requested_at: datetime
    utility_type: str | None = None


@dataclass(frozen=True, kw_only=True)
class PurchaseRequest:
    """Buy tokens; purchase_id is the wire id, so a retry resends this exact request."""

    purchase_id: str
    institution_id: str
    meter_number: str
    amount: Money
    requested_at: datetime
    utility_type: str | None = None


@dataclass(frozen=True, kw_only=True)
class ConfirmationAdvice:
    """Tell the provider a sale completed; resent with the same advice_id until final."""

    advice_id: str
    purchase_id: str
    advised_at: datetime
    third_party_refs: tuple[ThirdPartyRef, ...] = ()
    tendered: Money | None = None


@dataclass(frozen=True, kw_only=True)
class ReversalAdvice:
    """Tell the provider a sale did not complete (loss tracking); same advice_id on resend."""

    advice_id: str
    purchase_id: str
    advised_at: datetime
    reason: ReversalReason
    third_party_refs: tuple[ThirdPartyRef, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ReprintRequest:
    """Ask for the last token of a meter, or the one with original_ref."""

    reprint_id: str
    institution_id: str
    meter_number: str
    requested_at: datetime
    original_ref: str | None = None


@dataclass(frozen=True, kw_only=True)
class FaultReport:
    """Report a technical fault on a meter; fault_type uses the wire's CamelCase values."""

    report_id: str
    institution_id: str
    meter_number: str
    requested_at: datetime
    contact_number: str
    fault_type: str
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class KeyChangeRequest:
    """Ask for a meter's key change tokens."""

    request_id: str
    institution_id: str
    meter_number: str
    requested_at: datetime


@dataclass(frozen=True, kw_only=True)
class KeyChangeConfirmation:
    """Tell the provider the key change tokens reached the customer; same id on resend."""

    confirmation_id: str
    request_id: str  # the key change token request being confirmed
    confirmed_at: datetime
    third_party_refs: tuple[ThirdPartyRef, ...] = ()


@dataclass(frozen=True, kw_only=True)
class PurchaseNotification:
    """After a successful purchase, tell the provider what was issued (informational)."""

    notification_id: str
    purchase_id: str
    institution_id: str
    meter_number: str
    amount: Money
    receipt: PurchaseReceipt
    notified_at: datetime


class ProviderPort(Protocol):
    """The operations every provider offers; none raises, each returns a typed outcome."""

    @property
    def provider_id(self) -> str:
        """The provider's Electrum-assigned institution id."""
        ...

    @property
    def circuit_state(self) -> CircuitState:
        """The provider's circuit state now (routing uses only CLOSED providers)."""
        ...

    @property
    def not_offered(self) -> frozenset[str]:
        """Optional operations this provider answered 404 or 501 to, remembered and not resent."""
        ...

    async def lookup_meter(self, request: LookupRequest) -> LookupOutcome:
        """Look a meter up; UNKNOWN_METER_ID comes back as Failed(NOT_SUPPORTED)."""
        ...

    async def purchase_token(self, request: PurchaseRequest) -> PurchaseOutcome:
        """Send a new purchase once; an Unknown outcome is recovered with retry_purchase."""
        ...

    async def retry_purchase(self, request: PurchaseRequest) -> PurchaseOutcome:
        """Resend the original purchase on the retry path: issued tokens come back, no new vend."""
        ...

    async def confirm_purchase(self, advice: ConfirmationAdvice) -> AdviceOutcome:
        """Deliver a confirmation advice; DUPLICATE_RECORD counts as already delivered."""
        ...

    async def reverse_purchase(self, advice: ReversalAdvice) -> AdviceOutcome:
        """Deliver a reversal advice; DUPLICATE_RECORD counts as already delivered."""
        ...


class ProviderExtrasPort(ProviderPort, Protocol):
    """The optional operations; a provider without them answers Failed(NOT_IMPLEMENTED).

    Once a provider answered 404 or 501 to one, it is in `not_offered` and later calls return
    Failed(NOT_IMPLEMENTED) at once, without a request.
    """

    async def trial_purchase(self, request: PurchaseRequest) -> PurchaseOutcome:
        """Show what a purchase would give, with no financial effect."""
        ...

    async def reprint_token(self, request: ReprintRequest) -> PurchaseOutcome:
        """Get a token issued before again."""
        ...

    async def report_fault(self, report: FaultReport) -> FaultReportOutcome:
        """Report a meter fault to its utility."""
        ...

    async def request_key_change(self, request: KeyChangeRequest) -> KeyChangeOutcome:
        """Get key change tokens for a meter."""
        ...

    async def confirm_key_change(self, confirmation: KeyChangeConfirmation) -> AdviceOutcome:
        """Confirm key change tokens were handed over; DUPLICATE_RECORD counts as delivered."""
        ...

    async def notify_purchase(self, notification: PurchaseNotification) -> AdviceOutcome:
        """Notify the provider of a completed purchase (informational; 501 is acceptable)."""
        ...
