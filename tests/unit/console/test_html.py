"""HTML rendering escapes every value; the meter page shows what the guide describes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.console.html import Markup, render
from service.console.layout import time_since
from service.console.meter_pages import meter_page
from service.console.meter_view import MeterView, ProviderRow
from service.domain.support import RebroadcastFlag, SupportStatus
from service.ports.meters import CreditBlock

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def test_values_are_escaped_and_markup_is_kept() -> None:
    """Tags and quotes in values come out as text; Markup passes unchanged."""
    html = render('<a title="{t}">{v}</a>{m}', t='"><x', v="<script>", m=Markup("<br>"))
    assert html == '<a title="&quot;&gt;&lt;x">&lt;script&gt;</a><br>'


def test_time_since_uses_the_largest_whole_unit() -> None:
    """Seconds, minutes, hours, days; singular for one."""
    assert time_since(NOW - timedelta(seconds=5), NOW) == "5 seconds ago"
    assert time_since(NOW - timedelta(minutes=1, seconds=30), NOW) == "1 minute ago"
    assert time_since(NOW - timedelta(days=3), NOW) == "3 days ago"
    assert time_since(NOW, NOW) == "just now"


def _view(**changes: object) -> MeterView:
    rows = (
        ProviderRow(
            provider_id="P1",
            provider_name="<b>Ontec</b>",
            status=SupportStatus.SUPPORTED,
            last_response_at=NOW - timedelta(minutes=3),
            awaiting_confirmation=False,
        ),
        ProviderRow(
            provider_id="P2",
            provider_name="iPay",
            status=SupportStatus.UNCONFIRMED,
            last_response_at=None,
            awaiting_confirmation=True,
        ),
    )
    fields: dict[str, object] = {
        "meter_number": "0412<x>",
        "utility_id": None,
        "utility_name": None,
        "routing_blocked": False,
        "credit_block": None,
        "flag": None,
        "rows": rows,
    }
    fields.update(changes)
    return MeterView(**fields)  # type: ignore[arg-type]


def test_the_meter_page_rows_time_since_with_the_exact_time_on_hover() -> None:
    """Last response: time since with a title; Awaiting confirmation; Unassigned; the button."""
    page = meter_page(_view(), csrf="tok", now=NOW)
    assert 'title="Last response 2026-01-01 11:57:00 UTC"' in page
    assert 'data-label="Last response">3 minutes ago' in page
    assert "Awaiting confirmation" in page
    assert '<dd id="utility">Unassigned</dd>' in page
    assert "&lt;b&gt;Ontec&lt;/b&gt;" in page
    assert "0412&lt;x&gt;" in page
    assert 'id="confirm-support"' in page
    assert 'value="tok"' in page


def test_a_marked_meter_shows_the_message_and_no_button() -> None:
    """The flag message replaces the Confirm support button."""
    flag = RebroadcastFlag(requested_by="INST/alice", requested_at=NOW)
    page = meter_page(_view(flag=flag), csrf="tok", now=NOW)
    assert "marked for rebroadcast" in page
    assert "(support re-check)" in page
    assert 'id="confirm-support"' not in page


def test_a_credit_control_block_is_shown_apart_from_the_routing_block() -> None:
    """METER_ID_BLOCKED is its own line; routing says not blocked."""
    block = CreditBlock(provider_id="P1", seen_at=NOW)
    page = meter_page(_view(credit_block=block), csrf="tok", now=NOW)
    assert "METER_ID_BLOCKED" in page
    assert "Not blocked for routing" in page
