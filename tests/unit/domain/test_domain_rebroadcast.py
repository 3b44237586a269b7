"""Rule 5: MARK unconfirms every provider that has not confirmed support; SUPPORTED stays."""

from datetime import UTC, datetime

from service.domain.rebroadcast import mark_for_rebroadcast
from service.domain.support import MeterSupport, ProviderSupport, RebroadcastFlag, SupportStatus

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def test_mark_unconfirms_all_but_supported_and_sets_flag() -> None:
    """Rule 5: NOT_SUPPORTED becomes UNCONFIRMED, SUPPORTED stays, the flag says who and why."""
    meter = MeterSupport(
        meter_number="M",
        providers=(
            ProviderSupport(provider_id="A", status=SupportStatus.SUPPORTED, last_response_at=T0),
            ProviderSupport(
                provider_id="B", status=SupportStatus.NOT_SUPPORTED, last_response_at=T0
            ),
            ProviderSupport(provider_id="C"),
        ),
    )
    result = mark_for_rebroadcast(
        meter, requested_by="ops@bank", at=T0, reason="customer complaint", providers=["D"]
    )
    assert result.meter.statuses() == {
        "A": SupportStatus.SUPPORTED,
        "B": SupportStatus.UNCONFIRMED,
        "C": SupportStatus.UNCONFIRMED,
        "D": SupportStatus.UNCONFIRMED,
    }
    assert result.meter.support_of("B").last_response_at == T0
    assert result.meter.flag == RebroadcastFlag(
        requested_by="ops@bank", requested_at=T0, reason="customer complaint"
    )
    assert {c.current.provider_id: c.previous for c in result.changes} == {
        "B": SupportStatus.NOT_SUPPORTED,
        "D": None,
    }


def test_mark_of_unknown_meter_only_flags_it() -> None:
    """Rule 5: marking a meter with no support information just sets the flag."""
    result = mark_for_rebroadcast(MeterSupport(meter_number="M"), requested_by="ops", at=T0)
    assert result.meter.flag is not None
    assert result.meter.providers == ()
    assert result.changes == ()
