"""The `ppu.metrics` snapshot this service publishes: the contract's `Metrics`, with more figures.

The contract allows added fields, so each provider entry also carries its answers by class
(`successes`, `failures`, `unknowns`; `errors` = failures + unknowns, `timeouts` is part of
`unknowns`) and `latency_p99_ms`; each topic entry its dead letters. A reader that knows only
`Metrics` decodes the same bytes and ignores them.
"""

from __future__ import annotations

from pydantic import Field, NonNegativeFloat, NonNegativeInt

from schemas.v1.operations import Metrics, ProviderMetrics, TopicMetrics


class ProviderFigures(ProviderMetrics):
    """One provider over the window, with answers by class and p99."""

    successes: NonNegativeInt = 0
    failures: NonNegativeInt = Field(0, description="Definite failures (declines, 503, ...)")
    unknowns: NonNegativeInt = Field(0, description="Unknown outcomes, timeouts included")
    declines: NonNegativeInt = Field(
        0, description="Of the failures, business answers (not supported, blocked, declined)"
    )
    latency_p99_ms: NonNegativeFloat | None = None
    not_offered: list[str] = Field(
        default_factory=list, description="Optional operations the provider answered 404/501 to"
    )


class TopicFigures(TopicMetrics):
    """One input topic over the window, with its dead letters."""

    dead_letters: NonNegativeInt = 0


class MetricsSnapshot(Metrics):
    """`ppu.metrics` as published by the switch."""

    # Narrowing the element type is what the subclass is for; pydantic validates it.
    providers: list[ProviderFigures]  # type: ignore[assignment]
    topics: list[TopicFigures] = Field(default_factory=list)  # type: ignore[assignment]
