"""Contract v1.1: `ppu.support.updated` only when status or awaiting confirmation changes."""

from datetime import UTC, datetime, timedelta

from service.domain.lookup_answers import AnswerKind, LookupAnswer, apply_answers
from service.domain.support import MeterSupport, ProviderSupport, SupportStatus
from service.domain.support_changes import diff_support

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _meter(*entries: ProviderSupport, broadcast_at: datetime | None = T0) -> MeterSupport:
    return MeterSupport(meter_number="M", providers=entries, last_broadcast_at=broadcast_at)


def test_a_new_last_response_alone_is_no_change() -> None:
    """The routed provider answering SUPPORTED again only moves last_response_at: no event."""
    before = _meter(
        ProviderSupport(provider_id="A", status=SupportStatus.SUPPORTED, last_response_at=T0)
    )
    later = T0 + timedelta(hours=1)
    applied = apply_answers(
        before,
        [LookupAnswer(provider_id="A", kind=AnswerKind.SUPPORTED, answered_at=later)],
        at=later,
        broadcast=False,
    )
    assert applied.meter.support_of("A").last_response_at == later
    assert applied.changes == ()


def test_a_new_status_is_a_change() -> None:
    """SUPPORTED to NOT_SUPPORTED is published with the previous status."""
    before = _meter(
        ProviderSupport(provider_id="A", status=SupportStatus.SUPPORTED, last_response_at=T0)
    )
    after = before.with_support(
        ProviderSupport(
            provider_id="A",
            status=SupportStatus.NOT_SUPPORTED,
            last_response_at=T0 + timedelta(minutes=1),
        )
    )
    (change,) = diff_support(before, after)
    assert change.previous is SupportStatus.SUPPORTED
    assert change.current.status is SupportStatus.NOT_SUPPORTED
    assert change.awaiting_confirmation is False


def test_awaiting_confirmation_turning_on_is_a_change() -> None:
    """A broadcast the SUPPORTED provider missed keeps its status but makes it awaiting."""
    entry = ProviderSupport(provider_id="A", status=SupportStatus.SUPPORTED, last_response_at=T0)
    before = _meter(entry, broadcast_at=None)
    later = T0 + timedelta(days=31)
    applied = apply_answers(
        before, [LookupAnswer(provider_id="A", kind=AnswerKind.TIMEOUT)], at=later, broadcast=True
    )
    (change,) = applied.changes
    assert change.previous is SupportStatus.SUPPORTED
    assert change.current.status is SupportStatus.SUPPORTED
    assert change.awaiting_confirmation is True


def test_a_first_entry_is_a_change() -> None:
    """A provider with no entry for the meter yet is published once, with no previous status."""
    before = _meter()
    after = before.with_support(
        ProviderSupport(provider_id="B", status=SupportStatus.SUPPORTED, last_response_at=T0)
    )
    (change,) = diff_support(before, after)
    assert change.previous is None
    assert change.current.provider_id == "B"
