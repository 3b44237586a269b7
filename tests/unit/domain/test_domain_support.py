"""Rule 1: support status per (meter, provider), last response time, awaiting confirmation."""

from datetime import UTC, datetime, timedelta

from service.domain.support import MeterSupport, ProviderSupport, SupportStatus

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def test_never_heard_provider_is_unconfirmed_and_awaiting() -> None:
    """Rule 1: a provider that never answered is UNCONFIRMED and shows awaiting confirmation."""
    meter = MeterSupport(meter_number="123")
    assert meter.support_of("P1") == ProviderSupport(provider_id="P1")
    assert meter.support_of("P1").status is SupportStatus.UNCONFIRMED
    assert meter.awaiting_confirmation("P1")


def test_answer_before_last_broadcast_is_awaiting_confirmation() -> None:
    """Rule 1: an answer older than the last broadcast shows awaiting confirmation; newer not."""
    meter = MeterSupport(
        meter_number="123",
        providers=(
            ProviderSupport(provider_id="OLD", status=SupportStatus.SUPPORTED, last_response_at=T0),
            ProviderSupport(
                provider_id="NEW",
                status=SupportStatus.NOT_SUPPORTED,
                last_response_at=T0 + timedelta(hours=2),
            ),
        ),
        last_broadcast_at=T0 + timedelta(hours=1),
    )
    assert meter.awaiting_confirmation("OLD")
    assert not meter.awaiting_confirmation("NEW")
    assert meter.statuses() == {"OLD": SupportStatus.SUPPORTED, "NEW": SupportStatus.NOT_SUPPORTED}


def test_with_support_replaces_and_keeps_entries_sorted() -> None:
    """Replacing one provider's entry leaves one entry per provider, sorted by id."""
    meter = MeterSupport(meter_number="1").with_support(ProviderSupport(provider_id="B"))
    meter = meter.with_support(ProviderSupport(provider_id="A"))
    meter = meter.with_support(ProviderSupport(provider_id="B", status=SupportStatus.SUPPORTED))
    assert [e.provider_id for e in meter.providers] == ["A", "B"]
    assert meter.support_of("B").status is SupportStatus.SUPPORTED
