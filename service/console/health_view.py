"""Provider health ("the load balancer"): configuration beside the latest published figures.

A provider's answers fall in four classes: success, decline (a business answer: not
supported, a municipality's block, any other refusal of the request itself), error (a 503, a
refused connection, an open circuit, or an unknown outcome other than our timeout: 500, 504, a
broken connection) and timeout. Only errors and timeouts count against health: a decline is the
provider working as it should. The snapshots give `failures` (definite answers), `declines`
(the business answers among them) and `unknowns` (timeouts included), from which the classes
are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from service.config import Institution, SwitchConfig
from service.observability.snapshot import MetricsSnapshot, ProviderFigures

_WORST = {"CLOSED": 0, "HALF_OPEN": 1, "OPEN": 2}
DEGRADED_AT = 0.05  # errors + timeouts over this share of requests: Degraded
FAILING_AT = 0.25  # over this share, or an open circuit: Failing


@dataclass(frozen=True, kw_only=True)
class ProviderHealth:
    """One provider's line on the page; figures are None until a snapshot names it."""

    provider_id: str
    name: str
    weight: int
    enabled: bool
    circuit: str | None
    requests: int | None
    requests_per_s: float | None
    success_rate: float | None
    decline_rate: float | None
    error_rate: float | None
    timeout_rate: float | None
    latency_p50_ms: float | None
    latency_p99_ms: float | None
    window_s: float | None
    health: str
    not_offered: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """The API's representation."""
        return asdict(self)


@dataclass(frozen=True, kw_only=True)
class Classes:
    """Answers by class, summed over instances."""

    requests: int
    successes: int
    declines: int
    errors: int
    timeouts: int

    @classmethod
    def of(cls, figures: Sequence[ProviderFigures]) -> Classes:
        """Sum the instances' figures; errors are definite failures that were no business
        answer, and unknowns that were not our timeout."""
        timeouts = sum(f.timeouts for f in figures)
        return cls(
            requests=sum(f.requests for f in figures),
            successes=sum(f.successes for f in figures),
            declines=sum(f.declines for f in figures),
            errors=sum(
                max(0, f.failures - f.declines) + max(0, f.unknowns - f.timeouts) for f in figures
            ),
            timeouts=timeouts,
        )

    def rate(self, part: int) -> float | None:
        """`part` as a share of the requests (None without requests)."""
        return part / self.requests if self.requests else None


def health_label(circuit: str | None, classes: Classes | None) -> str:
    """Healthy, Degraded, Failing, or No traffic: only errors and timeouts count."""
    if circuit == "OPEN":
        return "Failing"
    if classes is None or not classes.requests:
        return "No traffic"
    bad = (classes.errors + classes.timeouts) / classes.requests
    if bad > FAILING_AT:
        return "Failing"
    return "Degraded" if bad > DEGRADED_AT or circuit == "HALF_OPEN" else "Healthy"


def _largest(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return max(known) if known else None


def _row(
    entry: Any, institution: Institution, snapshots: Sequence[MetricsSnapshot]
) -> ProviderHealth:
    figures = [p for s in snapshots for p in s.providers if p.provider_id == entry.id]
    window = max((s.window_seconds for s in snapshots), default=None) if figures else None
    circuits = [f.circuit.value for f in figures]
    circuit = max(circuits, key=_WORST.__getitem__) if circuits else None
    classes = Classes.of(figures) if figures else None
    return ProviderHealth(
        provider_id=entry.id,
        name=entry.name,
        weight=entry.weight,
        enabled=entry.enabled and entry.id in institution.enabled_providers,
        circuit=circuit,
        requests=classes.requests if classes else None,
        requests_per_s=classes.requests / window if classes and window else None,
        success_rate=classes.rate(classes.successes) if classes else None,
        decline_rate=classes.rate(classes.declines) if classes else None,
        error_rate=classes.rate(classes.errors) if classes else None,
        timeout_rate=classes.rate(classes.timeouts) if classes else None,
        # Percentiles do not add up across instances: the worst one is shown.
        latency_p50_ms=_largest([f.latency_p50_ms for f in figures]),
        latency_p99_ms=_largest([f.latency_p99_ms for f in figures]),
        window_s=window,
        health=health_label(circuit, classes),
        not_offered=tuple(sorted({op for f in figures for op in f.not_offered})),
    )


def provider_health(
    config: SwitchConfig, institution: Institution, snapshots: Sequence[MetricsSnapshot]
) -> list[ProviderHealth]:
    """Every configured provider; figures summed over the instances' latest snapshots."""
    return [_row(entry, institution, snapshots) for entry in config.providers]


def as_of(snapshots: Sequence[MetricsSnapshot]) -> datetime | None:
    """When the newest snapshot shown was taken."""
    return max((s.occurred_at for s in snapshots), default=None)
