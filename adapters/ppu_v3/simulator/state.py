"""Mutable state of one simulated provider: seen ids, issued responses, free units, controls."""

from __future__ import annotations

import asyncio
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from adapters.ppu_v3.simulator.config import Fault, Operation, SimProviderConfig, UtilityCoverage
from adapters.ppu_v3.simulator.ledger import Ledger


def _utc_now() -> datetime:
    """The wall clock in UTC."""
    return datetime.now(UTC)


def _month(moment: datetime) -> str:
    """The free-units month, "YYYY-MM" (formatted by hand: strftime costs more per request)."""
    return f"{moment.year:04d}-{moment.month:02d}"


@dataclass
class ScriptedFault:
    """A fault queued by a test or the control endpoint for the next matching requests."""

    fault: Fault
    remaining: int
    operation: Operation | None = None


@dataclass
class SimulatorState:
    """Everything one simulated provider remembers; lives on one event loop."""

    config: SimProviderConfig
    now: Callable[[], datetime] = _utc_now
    ledger: Ledger = field(default_factory=Ledger)
    seen_ids: set[tuple[str, str]] = field(default_factory=set)
    purchases: dict[str, dict[str, Any]] = field(default_factory=dict)
    issued: dict[str, dict[str, Any]] = field(default_factory=dict)
    key_changes: set[str] = field(default_factory=set)
    last_by_meter: dict[str, dict[str, Any]] = field(default_factory=dict)
    free_claimed: set[tuple[str, str]] = field(default_factory=set)
    down_fault: Fault | None = None
    script: deque[ScriptedFault] = field(default_factory=deque)
    closing: asyncio.Event = field(default_factory=asyncio.Event)
    sleepers: set[asyncio.Future[None]] = field(default_factory=set)

    def __post_init__(self) -> None:
        """Seed the random source so a seeded config replays the same faults and latencies."""
        self.rng = random.Random(self.config.seed)  # noqa: S311 - simulation, not security

    def close(self) -> None:
        """Shutting down: every pause (latency, hang, slow meter) ends now."""
        self.closing.set()
        for sleeper in self.sleepers:
            if not sleeper.done():
                sleeper.set_result(None)

    def first_use(self, space: str, message_id: str) -> bool:
        """Remember an id; False when it was seen before (DUPLICATE_RECORD)."""
        key = (space, message_id)
        if key in self.seen_ids:
            return False
        self.seen_ids.add(key)
        return True

    def coverage_for(self, meter: str) -> UtilityCoverage | None:
        """The first configured utility covering the meter."""
        return next((u for u in self.config.utilities if u.covers(meter)), None)

    def free_units_due(self, meter: str) -> bool:
        """Tell whether the meter's free token for this month is still unclaimed."""
        return (meter, _month(self.now())) not in self.free_claimed

    def claim_free_units(self, meter: str) -> None:
        """Mark this month's free token as issued."""
        self.free_claimed.add((meter, _month(self.now())))

    def next_fault(self, operation: Operation) -> Fault | None:
        """Outage first, then scripted faults, then the configured random shares."""
        if self.down_fault is not None:
            return self.down_fault
        for scripted in self.script:
            if scripted.operation in (None, operation):
                scripted.remaining -= 1
                if scripted.remaining <= 0:
                    self.script.remove(scripted)
                return scripted.fault
        return self.config.faults.draw(self.rng)

    def inject(self, fault: Fault, *, count: int = 1, operation: Operation | None = None) -> None:
        """Queue a fault for the next `count` matching requests."""
        self.script.append(ScriptedFault(fault=fault, remaining=count, operation=operation))
