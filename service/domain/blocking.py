"""The two kinds of "blocked", kept apart (rules 6 and 16).

- A *routing block* is the switch's: no enabled provider is known to support the meter. It is
  announced on `ppu.meter.blocked`, lifted with `blocked: false` as soon as one provider
  supports the meter, and a rebroadcast can clear it.
- A *credit-control block* is a municipality's: a provider declines the purchase with
  `METER_ID_BLOCKED`. It is a decline of that purchase (`ppu.purchase.failed` DECLINED), says
  nothing about support, and no rebroadcast can clear it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from service.domain.support import MeterSupport, SupportStatus

CREDIT_CONTROL_ERROR_TYPE = "METER_ID_BLOCKED"


class BlockKind(StrEnum):
    """Which "blocked" is meant; never interchangeable."""

    ROUTING = "ROUTING"
    CREDIT_CONTROL = "CREDIT_CONTROL"


@dataclass(frozen=True, kw_only=True)
class RoutingBlock:
    """The switch cannot route purchases for the meter: nobody enabled supports it."""

    meter_number: str
    institution_id: str
    kind: BlockKind = BlockKind.ROUTING
    cleared_by_rebroadcast: bool = True


@dataclass(frozen=True, kw_only=True)
class CreditControlBlock:
    """A municipality blocked the meter; reported by one provider for one purchase."""

    meter_number: str
    provider_id: str
    message: str | None = None
    kind: BlockKind = BlockKind.CREDIT_CONTROL
    cleared_by_rebroadcast: bool = False


class BlockTransition(StrEnum):
    """What the handler should publish on `ppu.meter.blocked`, if anything."""

    BLOCKED = "BLOCKED"
    UNBLOCKED = "UNBLOCKED"
    NONE = "NONE"


def is_routing_blocked(meter: MeterSupport | None, enabled_providers: Iterable[str]) -> bool:
    """Tell whether no enabled provider is SUPPORTED for the meter (rule 6)."""
    if meter is None:
        return True
    statuses = meter.statuses()
    return not any(statuses.get(p) is SupportStatus.SUPPORTED for p in enabled_providers)


def block_transition(
    *, was_blocked: bool, now_blocked: bool, purchase_attempt: bool = False
) -> BlockTransition:
    """Block on becoming blocked (and on every purchase that hits the block); unblock once."""
    if now_blocked and (purchase_attempt or not was_blocked):
        return BlockTransition.BLOCKED
    if was_blocked and not now_blocked:
        return BlockTransition.UNBLOCKED
    return BlockTransition.NONE
