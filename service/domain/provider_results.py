"""What a provider answered, as plain frozen values: success, failed or unknown (interface 1.3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Generic, TypeVar

from service.domain.money import Money

T = TypeVar("T")


class CircuitState(StrEnum):
    """State of a provider's circuit breaker, readable by routing and metrics."""

    CLOSED = "CLOSED"
    OPEN = "OPEN"
    HALF_OPEN = "HALF_OPEN"


class FailureKind(StrEnum):
    """Why a request definitely failed: nothing was done at the provider."""

    NOT_SUPPORTED = "NOT_SUPPORTED"  # the provider does not know the meter (UNKNOWN_METER_ID)
    METER_BLOCKED = "METER_BLOCKED"  # the municipality blocked the meter (METER_ID_BLOCKED)
    DUPLICATE = "DUPLICATE"
    DECLINED = "DECLINED"
    NOT_FOUND = "NOT_FOUND"
    NOT_IMPLEMENTED = "NOT_IMPLEMENTED"
    UNAVAILABLE = "UNAVAILABLE"
    UNAUTHORISED = "UNAUTHORISED"
    UNREACHABLE = "UNREACHABLE"  # never reached the provider (connection refused)
    CIRCUIT_OPEN = "CIRCUIT_OPEN"  # not sent: the provider's circuit is open
    BULKHEAD_FULL = "BULKHEAD_FULL"  # not sent: every connection to the provider stayed busy
    CLIENT_ERROR = "CLIENT_ERROR"  # our side could not build or send the request
    OTHER_STATUS = "OTHER_STATUS"


# The provider answered about the request itself (a business answer): not a sign of ill health.
_DECLINES = frozenset(
    {
        FailureKind.NOT_SUPPORTED,
        FailureKind.METER_BLOCKED,
        FailureKind.DUPLICATE,
        FailureKind.DECLINED,
        FailureKind.NOT_FOUND,
        FailureKind.NOT_IMPLEMENTED,
    }
)


def is_decline(kind: FailureKind) -> bool:
    """Whether a definite failure is a business answer (a decline) rather than an error."""
    return kind in _DECLINES


class UnknownKind(StrEnum):
    """Why the outcome is unknown: the provider may have done it."""

    SERVER_ERROR = "SERVER_ERROR"  # 500
    GATEWAY_TIMEOUT = "GATEWAY_TIMEOUT"  # 504
    TIMEOUT = "TIMEOUT"  # no answer within our timeout
    CONNECTION_LOST = "CONNECTION_LOST"  # sent, then the connection broke
    OUTCOME_UNKNOWN = "OUTCOME_UNKNOWN"  # the provider says it cannot tell
    MALFORMED_RESPONSE = "MALFORMED_RESPONSE"  # a success we cannot read
    RESPONSE_TOO_LARGE = "RESPONSE_TOO_LARGE"


@dataclass(frozen=True, kw_only=True)
class ErrorDetail:
    """The provider's ErrorDetail body, when it sent a readable one."""

    error_type: str | None = None
    message: str | None = None
    request_type: str | None = None
    detail: str | None = None


@dataclass(frozen=True, kw_only=True)
class Succeeded(Generic[T]):
    """The provider answered 200/201/202 with a readable result."""

    value: T
    status: int


@dataclass(frozen=True, kw_only=True)
class Failed:
    """The request definitely failed (400, 501, 503, ... or never sent)."""

    kind: FailureKind
    status: int | None = None
    error: ErrorDetail | None = None

    @property
    def meter_not_supported(self) -> bool:
        """Tell whether this is the provider's definite "meter not supported" answer."""
        return self.kind is FailureKind.NOT_SUPPORTED

    @property
    def meter_blocked(self) -> bool:
        """Tell whether the municipality blocked the meter (not a routing block)."""
        return self.kind is FailureKind.METER_BLOCKED


@dataclass(frozen=True, kw_only=True)
class Unknown:
    """The outcome is unknown (500, 504, timeout, lost connection): recover, never resend."""

    kind: UnknownKind
    status: int | None = None
    error: ErrorDetail | None = None


@dataclass(frozen=True, kw_only=True)
class Party:
    """An institution named in a message: a settlement entity or a receiver (utility)."""

    id: str
    name: str


@dataclass(frozen=True, kw_only=True)
class ThirdPartyRef:
    """One entity's own reference for a transaction; echoed unchanged in advices."""

    institution_id: str
    transaction_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class MeterDetails:
    """The meter as the provider knows it; everything but the number may be missing."""

    meter_number: str
    supply_group_code: str | None = None
    key_revision: str | None = None
    tariff_index: str | None = None
    token_tech_code: str | None = None
    algorithm_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class CustomerDetails:
    """Customer details as returned; never invented, often partial."""

    first_name: str | None = None
    last_name: str | None = None
    address: str | None = None


@dataclass(frozen=True, kw_only=True)
class UtilityDetails:
    """The utility as the provider names it."""

    name: str | None = None
    address: str | None = None
    vat_reg_num: str | None = None
    client_id: str | None = None
    message: str | None = None


@dataclass(frozen=True, kw_only=True)
class MeterInfo:
    """A successful meter lookup."""

    meter: MeterDetails
    customer: CustomerDetails = field(default_factory=CustomerDetails)
    utility: UtilityDetails = field(default_factory=UtilityDetails)
    receiver: Party | None = None
    settlement_entity: Party | None = None
    min_amount: Money | None = None
    max_amount: Money | None = None
    arrears: Money | None = None
    free_units_due: bool | None = None


@dataclass(frozen=True, kw_only=True)
class TariffStep:
    """Units priced at one rate (minor units per unit), one block of a token's tariffCalc."""

    units: Decimal | None = None
    rate: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class IssuedToken:
    """One token as the provider returned it; `token` is None for a "Meter updated" top-up."""

    kind: str | None = None
    token: str | None = None
    units: Decimal | None = None
    amount: Money | None = None
    tax: int | None = None
    tax_rate: Decimal | None = None
    tax_type: str | None = None
    receipt_number: str | None = None
    tariff: tuple[TariffStep, ...] | None = None  # None: the provider sent no tariffCalc


@dataclass(frozen=True, kw_only=True)
class Charge:
    """A debt-recovery or service charge deducted from the amount."""

    description: str | None = None
    amount: Money | None = None
    tax: int | None = None
    tax_rate: Decimal | None = None
    tax_type: str | None = None
    balance: Money | None = None
    receipt_number: str | None = None


@dataclass(frozen=True, kw_only=True)
class PurchaseReceipt:
    """Tokens issued for a purchase (also a retry, trial or reprint), in provider order."""

    request_id: str
    meter: MeterDetails | None = None
    customer: CustomerDetails = field(default_factory=CustomerDetails)
    utility: UtilityDetails = field(default_factory=UtilityDetails)
    receiver: Party | None = None
    settlement_entity: Party | None = None
    utility_type: str | None = None
    tokens: tuple[IssuedToken, ...] = ()
    debt_recovery: tuple[Charge, ...] = ()
    service_charges: tuple[Charge, ...] = ()
    purchase_total: Money | None = None
    tax_total: Money | None = None
    vat_invoice_number: str | None = None
    third_party_refs: tuple[ThirdPartyRef, ...] = ()
    slip_lines: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class AdviceAck:
    """An advice reached a final success; `already_delivered` when answered DUPLICATE_RECORD."""

    already_delivered: bool = False


@dataclass(frozen=True, kw_only=True)
class FaultReportReceipt:
    """The utility's fault reference and the text to print."""

    reference: str | None = None
    description: str | None = None


@dataclass(frozen=True, kw_only=True)
class KeyChangeTokens:
    """Key change tokens for a meter, in provider order."""

    meter: MeterDetails | None = None
    tokens: tuple[IssuedToken, ...] = ()


Outcome = Succeeded[T] | Failed | Unknown
LookupOutcome = Succeeded[MeterInfo] | Failed | Unknown
PurchaseOutcome = Succeeded[PurchaseReceipt] | Failed | Unknown
AdviceOutcome = Succeeded[AdviceAck] | Failed | Unknown
FaultReportOutcome = Succeeded[FaultReportReceipt] | Failed | Unknown
KeyChangeOutcome = Succeeded[KeyChangeTokens] | Failed | Unknown
