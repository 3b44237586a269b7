"""Provider health ("the load balancer"): configuration beside the latest published figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from service.config import Institution, SwitchConfig
from service.observability.snapshot import MetricsSnapshot, ProviderFigures

_WORST = {"CLOSED": 0, "HALF_OPEN": 1, "OPEN": 2}


@dataclass(frozen=True, kw_only=True)
class ProviderHealth:
    """One provider's line on the page; figures are None until a snapshot names it."""

    provider_id: str
    name: str
    weight: int
    enabled: bool
    circuit: str | None
    requests_per_s: float | None
    success_rate: float | None
    error_rate: float | None
    timeout_rate: float | None
    latency_p50_ms: float | None
    latency_p99_ms: float | None
    window_s: float | None
    not_offered: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """The API's representation."""
        return asdict(self)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _largest(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return max(known) if known else None


def provider_health(
    config: SwitchConfig, institution: Institution, snapshots: Sequence[MetricsSnapshot]
) -> list[ProviderHealth]:
    """Every configured provider; figures summed over the instances' latest snapshots."""
    rows = []
    for entry in config.providers:
        figures: list[ProviderFigures] = [
            p for s in snapshots for p in s.providers if p.provider_id == entry.id
        ]
        window = max((s.window_seconds for s in snapshots), default=None)
        requests = sum(f.requests for f in figures)
        circuits = [f.circuit.value for f in figures]
        rows.append(
            ProviderHealth(
                provider_id=entry.id,
                name=entry.name,
                weight=entry.weight,
                enabled=entry.enabled and entry.id in institution.enabled_providers,
                circuit=max(circuits, key=_WORST.__getitem__) if circuits else None,
                requests_per_s=round(requests / window, 4) if figures and window else None,
                success_rate=_rate(sum(f.successes for f in figures), requests),
                error_rate=_rate(sum(f.errors for f in figures), requests),
                timeout_rate=_rate(sum(f.timeouts for f in figures), requests),
                # Percentiles do not add up across instances: the worst one is shown.
                latency_p50_ms=_largest([f.latency_p50_ms for f in figures]),
                latency_p99_ms=_largest([f.latency_p99_ms for f in figures]),
                window_s=window if figures else None,
                not_offered=tuple(sorted({op for f in figures for op in f.not_offered})),
            )
        )
    return rows
