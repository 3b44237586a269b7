"""Rule 4: broadcast for unknown, flagged or stale meters; otherwise the routed provider only."""

from datetime import UTC, datetime, timedelta

from service.domain.broadcast import (
    DEFAULT_COVERAGE_WINDOW,
    LookupReason,
    is_stale,
    plan_lookup,
)
from service.domain.support import MeterSupport, ProviderSupport, RebroadcastFlag, SupportStatus

NOW = datetime(2025, 3, 31, 12, 0, tzinfo=UTC)
ENABLED = ["P1", "P2", "P3"]


def to_p2() -> str:
    return "P2"


def no_route() -> None:
    return None


def never_asked() -> str:
    raise AssertionError("a broadcast must not plan a route")


def _known(*, broadcast_age: timedelta, flagged: bool = False) -> MeterSupport:
    return MeterSupport(
        meter_number="M",
        providers=(ProviderSupport(provider_id="P2", status=SupportStatus.SUPPORTED),),
        last_broadcast_at=NOW - broadcast_age,
        flag=RebroadcastFlag(requested_by="ops", requested_at=NOW) if flagged else None,
    )


def test_unknown_meter_broadcasts_to_every_enabled_provider() -> None:
    """Rule 4: a meter the switch has never seen is broadcast to all enabled providers."""
    plan = plan_lookup(meter=None, enabled_providers=ENABLED, routed_provider=never_asked, now=NOW)
    assert plan.broadcast
    assert plan.reason is LookupReason.UNKNOWN_METER
    assert plan.providers == ("P1", "P2", "P3")


def test_flagged_meter_broadcasts() -> None:
    """Rule 4: a meter flagged for rebroadcast is broadcast even with fresh support."""
    plan = plan_lookup(
        meter=_known(broadcast_age=timedelta(days=1), flagged=True),
        enabled_providers=ENABLED,
        routed_provider=never_asked,
        now=NOW,
    )
    assert (plan.reason, plan.providers) == (LookupReason.FLAGGED, tuple(ENABLED))


def test_support_older_than_coverage_window_broadcasts() -> None:
    """Rule 4: support older than the window (default 30 days) is re-broadcast."""
    meter = _known(broadcast_age=timedelta(days=30, seconds=1))
    plan = plan_lookup(meter=meter, enabled_providers=ENABLED, routed_provider=to_p2, now=NOW)
    assert plan.reason is LookupReason.STALE
    assert plan.broadcast
    assert timedelta(days=30) == DEFAULT_COVERAGE_WINDOW


def test_fresh_known_meter_asks_routed_provider_only() -> None:
    """Rule 4: otherwise the lookup goes to the routed provider alone."""
    meter = _known(broadcast_age=timedelta(days=30))
    plan = plan_lookup(meter=meter, enabled_providers=ENABLED, routed_provider=to_p2, now=NOW)
    assert not plan.broadcast
    assert (plan.reason, plan.providers) == (LookupReason.ROUTED, ("P2",))


def test_configured_window_is_honoured() -> None:
    """Rule 4: the coverage window is configurable."""
    meter = _known(broadcast_age=timedelta(days=8))
    assert is_stale(meter, now=NOW, coverage_window=timedelta(days=7))
    assert not is_stale(meter, now=NOW, coverage_window=timedelta(days=9))


def test_fresh_meter_without_route_asks_nobody() -> None:
    """A fresh, unflagged meter nobody supports waits for a MARK or the window (no fan-out)."""
    meter = _known(broadcast_age=timedelta(days=1))
    plan = plan_lookup(meter=meter, enabled_providers=ENABLED, routed_provider=no_route, now=NOW)
    assert (plan.reason, plan.providers, plan.broadcast) == (LookupReason.NO_ROUTE, (), False)


def test_never_broadcast_meter_is_stale() -> None:
    """A meter known only from routed lookups has never been broadcast, so it is stale."""
    meter = MeterSupport(meter_number="M", providers=(ProviderSupport(provider_id="P1"),))
    assert is_stale(meter, now=NOW)
