"""The purchase ledger port: purchases, their attempts, and store-and-forward advices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from service.domain.advice import AdviceKind
from service.domain.money import Money
from service.domain.purchase_state import PurchaseState


@dataclass(frozen=True, kw_only=True)
class PurchaseRecord:
    """One purchase as the ledger holds it."""

    purchase_id: UUID
    request_event_id: UUID
    institution_id: str
    meter_number: str
    amount: Money
    utility_type: str
    state: PurchaseState
    provider_id: str | None = None
    tried: tuple[str, ...] = ()
    retries_made: int = 0
    first_unknown_at: datetime | None = None
    next_retry_at: datetime | None = None
    outcome_topic: str | None = None
    outcome_payload: dict[str, Any] | None = None
    waiters: tuple[UUID, ...] = ()
    """Event ids of same-fingerprint copies waiting for this purchase's outcome (rule 18)."""


@dataclass(frozen=True, kw_only=True)
class AdviceRecord:
    """One advice to deliver to a provider until it gives a final answer."""

    advice_id: UUID
    purchase_id: UUID
    provider_id: str
    kind: AdviceKind
    reason: str | None
    attempts: int
    created_at: datetime


class PurchaseLedger(Protocol):
    """Reads and writes the ledger inside the caller's transaction."""

    async def get(self, purchase_id: UUID, *, lock: bool = False) -> PurchaseRecord | None:
        """The purchase, optionally locked until the transaction ends."""
        ...

    async def save(self, record: PurchaseRecord) -> None:
        """Insert or update the purchase."""
        ...

    async def add_waiter(self, purchase_id: UUID, event_id: UUID) -> None:
        """Keep a copy's event id, to replay the outcome to it when the purchase is decided."""
        ...

    async def add_attempt(
        self,
        purchase_id: UUID,
        *,
        provider_id: str,
        operation: str,
        result: str,
        http_status: int | None,
        error_type: str | None,
    ) -> None:
        """Keep one call to a provider, for the ledger's history."""
        ...

    async def claim_unknown(
        self, *, now: datetime, lease: timedelta, limit: int
    ) -> list[PurchaseRecord]:
        """Purchases to recover, leased so no other instance takes them meanwhile: unknown ones
        due for a retry, and ones left SENT for longer than the lease (their handler is gone)."""
        ...

    async def queue_advice(
        self,
        *,
        advice_id: UUID,
        purchase_id: UUID,
        provider_id: str,
        kind: AdviceKind,
        reason: str | None,
        at: datetime,
    ) -> None:
        """Persist an advice for delivery."""
        ...

    async def claim_advices(
        self, *, now: datetime, lease: timedelta, limit: int
    ) -> list[AdviceRecord]:
        """Due advices, the oldest pending one per purchase, leased."""
        ...

    async def finish_advice(
        self,
        advice_id: UUID,
        *,
        state: str,
        status: int | None,
        error: str | None,
        at: datetime,
        next_attempt_at: datetime | None,
    ) -> None:
        """Record a delivery attempt: final (DELIVERED/REJECTED) or PENDING with its next time."""
        ...
