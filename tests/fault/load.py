"""Valid inputs for the fault scenarios: purchases and lookups of meters the providers serve."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime

from schemas import canonical_bytes
from schemas.v1.base import Money
from schemas.v1.inputs import LookupRequested, PurchaseRequested
from service.topics import Topic
from tests.fault.expect import Request, Want


def meters(rng: random.Random, count: int) -> list[str]:
    """Distinct meter numbers that the simulated City Power covers."""
    return [f"0412{n:07d}" for n in rng.sample(range(10_000_000), count)]


def fingerprint(institution: str, meter: str, amount: int, currency: str, utility: str) -> str:
    """The request's fingerprint as the contract defines it (meter normalised)."""
    normal = meter.strip().replace(" ", "").replace("-", "")
    return f"{institution}|{normal}|{amount}|{currency}|{utility}"


def purchase(
    rng: random.Random,
    meter: str,
    amount: int,
    *,
    purchase_id: str | None = None,
    institution: str = "INST",
    label: str = "valid purchase",
    phase: int = 0,
) -> Request:
    """A valid purchase, keyed by the meter number as written (as a sloppy upstream would)."""
    event = PurchaseRequested(
        event_id=uuid.UUID(int=rng.getrandbits(128), version=4),
        occurred_at=datetime.now(UTC),
        purchase_id=uuid.UUID(purchase_id)
        if purchase_id
        else uuid.UUID(int=rng.getrandbits(128), version=4),
        institution_id=institution,
        meter_number=meter,
        amount=Money(value=amount, currency="ZAR"),
    )
    return Request(
        label=label,
        topic=Topic.PURCHASE_REQUESTED,
        key=meter.encode(),
        value=canonical_bytes(event),
        want=Want.ANSWER,
        rid=str(event.purchase_id),
        fingerprint=fingerprint(institution, meter, amount, "ZAR", "ELECTRICITY"),
        phase=phase,
    )


def lookup(rng: random.Random, meter: str) -> Request:
    """A valid lookup."""
    event = LookupRequested(
        event_id=uuid.UUID(int=rng.getrandbits(128), version=4),
        occurred_at=datetime.now(UTC),
        lookup_id=f"L-{rng.getrandbits(64):016x}",
        institution_id="INST",
        meter_number=meter,
    )
    return Request(
        label="valid lookup",
        topic=Topic.LOOKUP_REQUESTED,
        key=meter.encode(),
        value=canonical_bytes(event),
        want=Want.ANSWER,
        rid=event.lookup_id,
    )


def valid_stream(rng: random.Random, count: int, *, meter_pool: int = 200) -> list[Request]:
    """About 3/4 purchases (amounts the providers accept) and 1/4 lookups."""
    pool = meters(rng, meter_pool)
    out = []
    for _ in range(count):
        meter = rng.choice(pool)
        if rng.random() < 0.25:
            out.append(lookup(rng, meter))
        else:
            out.append(purchase(rng, meter, rng.choice([0, 500, 2000, 5000])))
    return out
