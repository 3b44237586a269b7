"""Rules 6 and 16: routing blocks and unblocks; a municipality's block is another thing."""

import pytest

from service.domain.blocking import (
    BlockKind,
    BlockTransition,
    CreditControlBlock,
    RoutingBlock,
    block_transition,
    is_routing_blocked,
)
from service.domain.support import MeterSupport, ProviderSupport, SupportStatus


def _meter(**statuses: SupportStatus) -> MeterSupport:
    entries = tuple(ProviderSupport(provider_id=p, status=s) for p, s in statuses.items())
    return MeterSupport(meter_number="M", providers=entries)


def test_blocked_when_no_enabled_provider_supports_the_meter() -> None:
    """Rule 6: blocked when no enabled provider is SUPPORTED, even if a disabled one is."""
    meter = _meter(A=SupportStatus.SUPPORTED, B=SupportStatus.NOT_SUPPORTED)
    assert is_routing_blocked(meter, ["B", "C"])
    assert not is_routing_blocked(meter, ["A", "B"])
    assert is_routing_blocked(None, ["A"])


@pytest.mark.parametrize(
    ("was", "now", "purchase", "expected"),
    [
        (False, True, False, BlockTransition.BLOCKED),
        (True, True, False, BlockTransition.NONE),
        (True, True, True, BlockTransition.BLOCKED),
        (True, False, False, BlockTransition.UNBLOCKED),
        (True, False, True, BlockTransition.UNBLOCKED),
        (False, False, False, BlockTransition.NONE),
    ],
)
def test_block_transitions(was: bool, now: bool, purchase: bool, expected: BlockTransition) -> None:
    """Rule 6: blocked on becoming blocked (and per purchase hitting it); unblocked once."""
    assert block_transition(was_blocked=was, now_blocked=now, purchase_attempt=purchase) is expected


def test_credit_control_block_is_not_a_routing_block() -> None:
    """Rule 16: METER_ID_BLOCKED is a distinct kind that a rebroadcast cannot clear."""
    routing = RoutingBlock(meter_number="M", institution_id="I")
    municipal = CreditControlBlock(meter_number="M", provider_id="P", message="credit control")
    assert routing.kind is BlockKind.ROUTING
    assert municipal.kind is BlockKind.CREDIT_CONTROL
    assert routing.cleared_by_rebroadcast
    assert not municipal.cleared_by_rebroadcast
    assert {routing.kind, municipal.kind} == set(BlockKind)
