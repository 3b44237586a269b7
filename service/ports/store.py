"""The switch's store port: units of work with the switch's repositories, and plain reads."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol
from uuid import UUID

from service.domain.support import MeterSupport
from service.ports.meters import MeterRepository
from service.ports.purchases import PurchaseLedger, PurchaseRecord
from service.ports.unit_of_work import EventClaim, InputEvent, UnitOfWork


class AuditLog(Protocol):
    """Append-only record of operator actions and routing changes."""

    async def record(
        self,
        *,
        actor: str,
        action: str,
        subject: str,
        institution_id: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Keep one entry, in the caller's transaction."""
        ...


class SwitchUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that also offers the switch's repositories on its transaction."""

    @property
    def meters(self) -> MeterRepository:
        """Meter state, inside this transaction."""
        ...

    @property
    def audit(self) -> AuditLog:
        """The audit log, inside this transaction."""
        ...

    @property
    def purchases(self) -> PurchaseLedger:
        """The purchase ledger, inside this transaction."""
        ...


class SwitchStore(Protocol):
    """Opens the switch's units of work and answers reads outside them."""

    def begin(self, source: InputEvent) -> AbstractAsyncContextManager[SwitchUnitOfWork]:
        """Start a transaction that applies `source` at most once."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[SwitchUnitOfWork]:
        """A transaction that records no input event: steps before an event's final one."""
        ...

    async def claim_event(self, source: InputEvent) -> EventClaim:
        """Claim the input event's id before any work: new, a replay, or reused (rule 21)."""
        ...

    async def claim_purchase(self, purchase: PurchaseRecord) -> tuple[bool, PurchaseRecord]:
        """Claim the purchase id for this request, durable on return; else the holder (rule 18)."""
        ...

    async def save_purchase(self, purchase: PurchaseRecord) -> None:
        """Write one purchase on its own, durable when this returns (no input event recorded)."""
        ...

    async def read_meter(self, meter_number: str) -> MeterSupport | None:
        """The meter as last committed (no lock; for planning before providers are asked)."""
        ...

    async def read_purchase(self, purchase_id: UUID) -> PurchaseRecord | None:
        """The purchase as last committed (no lock)."""
        ...
