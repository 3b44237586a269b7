"""Builders of input events for the tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from schemas.v1.base import Money
from schemas.v1.enums import FlagAction
from schemas.v1.inputs import LookupRequested, PurchaseRequested, RebroadcastFlag


def lookup(meter: str, *, institution: str = "INST") -> LookupRequested:
    """A lookup request event."""
    return LookupRequested(
        event_id=uuid.uuid4(),
        occurred_at=datetime.now(UTC),
        lookup_id=str(uuid.uuid4()),
        institution_id=institution,
        meter_number=meter,
    )


def mark(meter: str) -> RebroadcastFlag:
    """An operator's Confirm support."""
    return RebroadcastFlag(
        event_id=uuid.uuid4(),
        occurred_at=datetime.now(UTC),
        meter_number=meter,
        action=FlagAction.MARK,
        requested_by="ops@INST",
        reason="customer cannot buy",
    )


def purchase(
    meter: str, value: int = 5000, *, purchase_id: uuid.UUID | None = None
) -> PurchaseRequested:
    """A purchase request event (a fresh event id every time, as a re-send would have)."""
    return PurchaseRequested(
        event_id=uuid.uuid4(),
        occurred_at=datetime.now(UTC),
        purchase_id=purchase_id or uuid.uuid4(),
        institution_id="INST",
        meter_number=meter,
        amount=Money(value=value, currency="ZAR"),
    )
