"""The switch's Prometheus instruments (prometheus-client), one registry per running switch.

Names follow Prometheus conventions (base units, `_total` on counters) and every label has few
values: provider ids, operations, answer classes, topics. Never a meter number or an event id.
"""

from __future__ import annotations

import time
from typing import Any

import orjson
from prometheus_client import (
    CollectorRegistry,
    Counter,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)

from service.observability.recorder import answer_class

# Provider calls take tens of milliseconds to the call deadline (tens of seconds).
PROVIDER_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60)
# An event waits behind lag as well: from the input's timestamp to its outcome, up to minutes.
EVENT_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)

MAX_OUTCOME = 32
ADVICE_KINDS = {"confirm": "confirmation", "reverse": "reversal"}


def outcome_of(payload: bytes) -> str:
    """The event's top-level `outcome` (FOUND, DECLINED, UNKNOWN, ...); "" when it has none."""
    try:
        value = orjson.loads(payload).get("outcome")
    except (orjson.JSONDecodeError, AttributeError):
        return ""
    # Only the contract's enum values become label values: never free text.
    return value if isinstance(value, str) and value.isupper() and len(value) <= MAX_OUTCOME else ""


class Instruments:
    """The counters and histograms the switch updates as it works, in their own registry."""

    def __init__(self, *, process_metrics: bool = True) -> None:
        self.registry = CollectorRegistry()
        self._children: dict[tuple[int, tuple[str, ...]], Any] = {}
        r = self.registry
        if process_metrics:
            ProcessCollector(registry=r)
            PlatformCollector(registry=r)
            GCCollector(registry=r)
        self._provider_instruments()
        self.advices = Counter(
            "ppu_advices",
            "Advice deliveries by kind (confirmation, reversal) and answer class",
            ["kind", "class"],
            registry=r,
        )
        self.event_latency = Histogram(
            "ppu_event_latency_seconds",
            "From an input record's timestamp to its handler's success, by topic",
            ["topic"],
            buckets=EVENT_BUCKETS,
            registry=r,
        )
        self.event_retries = Counter(
            "ppu_event_retries", "Handler attempts after the first, by topic", ["topic"], registry=r
        )
        self.outputs = Counter(
            "ppu_outputs_published",
            "Output events the relay published, by topic and outcome (empty when none)",
            ["topic", "outcome"],
            registry=r,
        )

    def _provider_instruments(self) -> None:
        r, labels = self.registry, ["provider", "operation"]
        self.provider_duration = Histogram(
            "ppu_provider_request_duration_seconds",
            "Provider call latency, by provider and operation",
            labels,
            buckets=PROVIDER_BUCKETS,
            registry=r,
        )
        self.provider_requests = Counter(
            "ppu_provider_requests", "Calls to a provider", labels, registry=r
        )
        self.provider_answers = Counter(
            "ppu_provider_answers",
            "Provider calls by answer class (success, failed, unknown)",
            [*labels, "class"],
            registry=r,
        )
        self.provider_timeouts = Counter(
            "ppu_provider_timeouts", "Provider calls that hit our deadline", labels, registry=r
        )

    def provider_call(
        self, *, provider: str, operation: str, outcome: object, latency_s: float
    ) -> None:
        """Count and time one finished provider call."""
        answer, timed_out = answer_class(outcome)
        self._child(self.provider_duration, provider, operation).observe(latency_s)
        self._child(self.provider_requests, provider, operation).inc()
        self._child(self.provider_answers, provider, operation, answer.value).inc()
        if timed_out:
            self._child(self.provider_timeouts, provider, operation).inc()
        kind = ADVICE_KINDS.get(operation)
        if kind is not None:
            self._child(self.advices, kind, answer.value).inc()

    def published(self, *, topic: str, payload: bytes) -> None:
        """Count one output event the broker acknowledged, with its `outcome` field if any."""
        self._child(self.outputs, topic, outcome_of(payload)).inc()

    def attempt_started(self, *, topic: str, attempt: int) -> None:
        """Count a handler attempt that is a retry."""
        if attempt > 1:
            self._child(self.event_retries, topic).inc()

    def handled(self, *, topic: str, timestamp_ms: int, now_s: float | None = None) -> None:
        """Observe one event's latency, input timestamp to outcome."""
        now = time.time() if now_s is None else now_s
        # A producer's clock may run ahead of ours: a negative figure says nothing, so count 0.
        self._child(self.event_latency, topic).observe(max(0.0, now - timestamp_ms / 1000))

    def _child(self, metric: Any, *labels: str) -> Any:
        """The metric's child for these label values, looked up once: `labels()` takes a lock
        and builds a key on every call, and the label values are few (see above)."""
        key = (id(metric), labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child
