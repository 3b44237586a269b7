"""Rules 2 and 5: recording lookup answers; no answer is never evidence of non-support."""

from datetime import UTC, datetime, timedelta

import pytest

from service.domain.lookup_answers import AnswerKind, LookupAnswer, apply_answers, support_after
from service.domain.support import MeterSupport, ProviderSupport, RebroadcastFlag, SupportStatus

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
NO_ANSWERS = [k for k in AnswerKind if not k.definite]


@pytest.mark.parametrize("kind", NO_ANSWERS)
@pytest.mark.parametrize("before", [SupportStatus.UNCONFIRMED, SupportStatus.NOT_SUPPORTED])
def test_no_answer_never_yields_not_supported(kind: AnswerKind, before: SupportStatus) -> None:
    """Rule 2: timeout, connection error, 5xx, open circuit leave the provider UNCONFIRMED."""
    current = ProviderSupport(provider_id="P", status=before, last_response_at=T0)
    after = support_after(current, LookupAnswer(provider_id="P", kind=kind))
    assert after.status is SupportStatus.UNCONFIRMED
    assert after.last_response_at == T0


@pytest.mark.parametrize("kind", NO_ANSWERS)
def test_no_answer_keeps_confirmed_support(kind: AnswerKind) -> None:
    """Rule 2: a missed answer does not take away support a provider confirmed earlier."""
    current = ProviderSupport(provider_id="P", status=SupportStatus.SUPPORTED, last_response_at=T0)
    assert support_after(current, LookupAnswer(provider_id="P", kind=kind)) == current


def test_definite_answers_set_status_and_last_response() -> None:
    """A SUPPORTED or NOT_SUPPORTED answer records the status and the time it arrived."""
    at = T0 + timedelta(minutes=5)
    current = ProviderSupport(provider_id="P")
    yes = support_after(
        current, LookupAnswer(provider_id="P", kind=AnswerKind.SUPPORTED, answered_at=at)
    )
    no = support_after(
        current, LookupAnswer(provider_id="P", kind=AnswerKind.NOT_SUPPORTED, answered_at=at)
    )
    assert (yes.status, yes.last_response_at) == (SupportStatus.SUPPORTED, at)
    assert (no.status, no.last_response_at) == (SupportStatus.NOT_SUPPORTED, at)


def test_definite_answer_requires_its_time() -> None:
    """A definite answer without a response time is refused (rule 1 needs the time)."""
    with pytest.raises(ValueError, match="answered_at"):
        LookupAnswer(provider_id="P", kind=AnswerKind.SUPPORTED)


def test_broadcast_records_answers_clears_flag_and_reports_changes() -> None:
    """Rule 5: the broadcast after a MARK records every answer and clears the flag."""
    flag = RebroadcastFlag(requested_by="ops", requested_at=T0)
    meter = MeterSupport(
        meter_number="M",
        providers=(ProviderSupport(provider_id="A"), ProviderSupport(provider_id="B")),
        flag=flag,
    )
    at = T0 + timedelta(days=1)
    applied = apply_answers(
        meter,
        [
            LookupAnswer(provider_id="A", kind=AnswerKind.SUPPORTED, answered_at=at),
            LookupAnswer(provider_id="B", kind=AnswerKind.TIMEOUT),
            LookupAnswer(provider_id="C", kind=AnswerKind.NOT_SUPPORTED, answered_at=at),
        ],
        at=at,
        broadcast=True,
    )
    assert applied.flag_cleared
    assert applied.meter.flag is None
    assert applied.meter.last_broadcast_at == at
    assert applied.meter.statuses() == {
        "A": SupportStatus.SUPPORTED,
        "B": SupportStatus.UNCONFIRMED,
        "C": SupportStatus.NOT_SUPPORTED,
    }
    changed = {c.current.provider_id: c.previous for c in applied.changes}
    assert changed == {"A": SupportStatus.UNCONFIRMED, "C": None}
    assert applied.meter.awaiting_confirmation("B")


def test_routed_lookup_keeps_flag_and_broadcast_time() -> None:
    """A lookup to the routed provider alone neither clears a flag nor counts as a broadcast."""
    flag = RebroadcastFlag(requested_by="ops", requested_at=T0)
    meter = MeterSupport(meter_number="M", flag=flag, last_broadcast_at=T0)
    at = T0 + timedelta(hours=1)
    applied = apply_answers(
        meter,
        [LookupAnswer(provider_id="A", kind=AnswerKind.SUPPORTED, answered_at=at)],
        at=at,
        broadcast=False,
    )
    assert not applied.flag_cleared
    assert applied.meter.flag == flag
    assert applied.meter.last_broadcast_at == T0
