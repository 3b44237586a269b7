"""Version 1 of the public event contract (DESIGN.md)."""

from schemas.v1.base import ContractModel, Event, Money
from schemas.v1.enums import (
    ChargeKind,
    CircuitState,
    FailureOutcome,
    FlagAction,
    LookupOutcome,
    SupportCause,
    SupportStatus,
    TokenKind,
    UtilityType,
)
from schemas.v1.inputs import LookupRequested, PurchaseRequested, RebroadcastFlag
from schemas.v1.meters import LookupCompleted, MeterBlocked, SupportUpdated
from schemas.v1.operations import (
    DeadLetter,
    Metrics,
    ProviderMetrics,
    TableMetrics,
    TopicMetrics,
)
from schemas.v1.parts import Customer, Party, ProviderSupport
from schemas.v1.purchases import (
    Charge,
    ErrorInfo,
    PurchaseFailed,
    ReportedVat,
    TariffBlock,
    Token,
    TokenIssued,
    Vat,
)

__all__ = [
    "Charge",
    "ChargeKind",
    "CircuitState",
    "ContractModel",
    "Customer",
    "DeadLetter",
    "ErrorInfo",
    "Event",
    "FailureOutcome",
    "FlagAction",
    "LookupCompleted",
    "LookupOutcome",
    "LookupRequested",
    "MeterBlocked",
    "Metrics",
    "Money",
    "Party",
    "ProviderMetrics",
    "ProviderSupport",
    "PurchaseFailed",
    "PurchaseRequested",
    "RebroadcastFlag",
    "ReportedVat",
    "SupportCause",
    "SupportStatus",
    "SupportUpdated",
    "TableMetrics",
    "TariffBlock",
    "Token",
    "TokenIssued",
    "TokenKind",
    "TopicMetrics",
    "UtilityType",
    "Vat",
]
