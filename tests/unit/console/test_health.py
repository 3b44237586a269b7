"""Provider health reads right: declines apart from errors and timeouts, figures for people,
and the last hour's charts from snapshots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.console.health_chart import error_chart, latency_chart, points
from service.console.health_page import health_page
from service.console.health_view import Classes, ProviderHealth, health_label
from service.console.numbers import duration_ms, rate, share
from service.observability.snapshot import MetricsSnapshot, ProviderFigures

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _figures(**counts: int) -> ProviderFigures:
    return ProviderFigures(
        provider_id="P1",
        requests=counts.get("requests", 0),
        errors=counts.get("failures", 0) + counts.get("unknowns", 0),
        timeouts=counts.get("timeouts", 0),
        successes=counts.get("successes", 0),
        failures=counts.get("failures", 0),
        unknowns=counts.get("unknowns", 0),
        declines=counts.get("declines", 0),
        latency_p50_ms=40.0,
        latency_p99_ms=120.0,
        circuit="CLOSED",
    )


def _snapshot(at: datetime, figures: ProviderFigures, instance: str = "a") -> MetricsSnapshot:
    return MetricsSnapshot(
        event_id="6e5d4c3b-2a19-4807-b6f5-e4d3c2b1a098",
        occurred_at=at,
        instance_id=instance,
        window_seconds=300,
        providers=[figures],
        events_processed=0,
        lag=0,
        in_flight=0,
        dead_letters=0,
    )


def test_declines_never_count_against_health() -> None:
    """A provider that declines everything (not supported) is Healthy."""
    classes = Classes.of([_figures(requests=10, failures=10, declines=10)])
    assert (classes.declines, classes.errors, classes.timeouts) == (10, 0, 0)
    assert health_label("CLOSED", classes) == "Healthy"


def test_definite_failures_that_are_no_decline_count_as_errors() -> None:
    """A provider answering 503 (or refusing connections) to a third of its calls is Failing."""
    classes = Classes.of([_figures(requests=9, successes=6, failures=3, declines=0)])
    assert (classes.declines, classes.errors) == (0, 3)
    assert health_label("CLOSED", classes) == "Failing"


def test_errors_and_timeouts_are_apart_and_make_a_provider_fail() -> None:
    """Unknowns that were not our timeout are errors; a third of them fails the provider."""
    classes = Classes.of([_figures(requests=9, successes=6, unknowns=3, timeouts=1)])
    assert (classes.errors, classes.timeouts) == (2, 1)
    assert health_label("CLOSED", classes) == "Failing"
    assert health_label("OPEN", None) == "Failing"
    assert health_label(None, None) == "No traffic"


def test_figures_are_formatted_for_people() -> None:
    """Latency in whole ms or s, shares in %, slow rates per minute."""
    assert duration_ms(43.6251) == "44 ms"
    assert duration_ms(1530) == "1.5 s"
    assert duration_ms(None) == "n/a"
    assert share(0.0133) == "1.3%"
    assert share(0.5) == "50%"
    assert rate(0.0133) == "0.8/min"
    assert rate(12.345) == "12.3/s"


def test_charts_bucket_the_last_hour_by_minute_and_draw_svg() -> None:
    """Old snapshots fall out; each minute keeps each instance's newest; SVG has both series."""
    history = [
        _snapshot(NOW - timedelta(minutes=90), _figures(requests=1, successes=1)),
        _snapshot(NOW - timedelta(minutes=30), _figures(requests=4, unknowns=2, timeouts=1)),
        _snapshot(NOW - timedelta(seconds=20), _figures(requests=2, successes=2)),
    ]
    series = points(history, "P1", NOW)
    assert [p.bad_rate for p in series] == [0.5, 0.0]
    svg = latency_chart("Sim P1", series)
    assert svg.count("<circle") == 4
    assert 'data-series="p50"' in svg
    assert 'data-series="errors+timeouts"' in error_chart("Sim P1", series)
    assert "No figures in the last hour" in latency_chart("Sim P1", [])


def test_the_page_names_the_operations_a_provider_does_not_offer() -> None:
    """A provider that answered 404/501 to optional operations is listed under the table."""
    row = ProviderHealth(
        provider_id="P1",
        name="Sim P1",
        weight=1,
        enabled=True,
        circuit=None,
        requests=None,
        requests_per_s=None,
        success_rate=None,
        decline_rate=None,
        error_rate=None,
        timeout_rate=None,
        latency_p50_ms=None,
        latency_p99_ms=None,
        window_s=None,
        health="No traffic",
        not_offered=("reprint", "trial"),
    )
    page = health_page([row], None)
    assert "Sim P1: reprint, trial" in page
    assert "No figures from the switch yet" in page
