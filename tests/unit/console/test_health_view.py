"""Provider health shows the optional operations each provider does not offer."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from schemas.v1.enums import CircuitState
from service.config import Institution, ProviderEntry, SwitchConfig
from service.console.health_view import provider_health
from service.observability.snapshot import MetricsSnapshot, ProviderFigures


def _snapshot(instance: str, *not_offered: str) -> MetricsSnapshot:
    return MetricsSnapshot(
        event_id=uuid.uuid4(),
        occurred_at=datetime.now(UTC),
        instance_id=instance,
        window_seconds=60,
        providers=[
            ProviderFigures(
                provider_id="P1",
                requests=10,
                errors=0,
                timeouts=0,
                circuit=CircuitState.CLOSED,
                successes=10,
                not_offered=list(not_offered),
            )
        ],
        events_processed=0,
        lag=0,
        in_flight=0,
        dead_letters=0,
    )


def test_not_offered_operations_are_joined_over_instances() -> None:
    """What any instance learnt a provider lacks is on its health row, once, sorted."""
    config = SwitchConfig(
        providers=(ProviderEntry(id="P1", name="One", base_url="http://p1/", username="u"),),
        institutions=(Institution(id="I", name="Inst", enabled_providers=("P1",)),),
    )
    (institution,) = config.institutions
    snapshots = [_snapshot("a", "trial"), _snapshot("b", "purchase_notification", "trial")]
    (row,) = provider_health(config, institution, snapshots)
    assert row.not_offered == ("purchase_notification", "trial")
    assert row.as_json()["not_offered"] == ("purchase_notification", "trial")
    (fresh,) = provider_health(config, institution, [])
    assert fresh.not_offered == ()
