"""Prometheus text exposition (format 0.0.4) of the provider, consumer and table figures."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from service.domain.provider_results import CircuitState
from service.engine.process import Outcome
from service.observability.recorder import ProviderReading
from service.observability.tables import TableSize
from service.observability.window import AnswerClass

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(labels: Mapping[str, str]) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{_label(v)}"' for k, v in labels.items()) + "}"


@dataclass
class Family:
    """One metric family: its name, type, help and samples."""

    name: str
    kind: str
    help: str
    samples: list[tuple[str, Mapping[str, str], float]]

    def lines(self) -> Iterable[str]:
        """The family's exposition lines."""
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} {self.kind}"
        for suffix, labels, value in self.samples:
            yield f"{self.name}{suffix}{_labels(labels)} {value:g}"


def provider_families(readings: Sequence[ProviderReading]) -> list[Family]:
    """Requests, answers by class, timeouts, latency summary and circuit state per provider."""
    requests = Family("ppu_provider_requests_total", "counter", "Calls to the provider", [])
    answers = Family("ppu_provider_answers_total", "counter", "Calls by answer class", [])
    timeouts = Family("ppu_provider_timeouts_total", "counter", "Calls that timed out", [])
    latency = Family(
        "ppu_provider_latency_seconds", "summary", "Call latency (quantiles over the window)", []
    )
    circuit = Family("ppu_provider_circuit_state", "gauge", "1 for the circuit's state now", [])
    for r in readings:
        pid = {"provider": r.provider_id}
        requests.samples.append(("", pid, r.totals.get("requests", 0)))
        for answer in AnswerClass:
            answers.samples.append(
                ("", {**pid, "class": answer.value}, r.totals.get(answer.value, 0))
            )
        timeouts.samples.append(("", pid, r.totals.get("timeouts", 0)))
        for q, value in (("0.5", r.window.latency_p50_ms), ("0.99", r.window.latency_p99_ms)):
            if value is not None:
                latency.samples.append(("", {**pid, "quantile": q}, value / 1000))
        latency.samples.append(("_sum", pid, r.latency_total_ms / 1000))
        latency.samples.append(("_count", pid, r.totals.get("requests", 0)))
        for state in CircuitState:
            circuit.samples.append(("", {**pid, "state": state.value}, float(r.circuit is state)))
    return [requests, answers, timeouts, latency, circuit]


def consumer_families(
    *,
    outcomes: Mapping[tuple[str, Outcome], int],
    lag: Mapping[str, int],
    in_flight: int,
    partitions: int,
) -> list[Family]:
    """Records finished per topic and outcome, lag per topic, in-flight and owned partitions."""
    done = Family("ppu_events_processed_total", "counter", "Input records finished", [])
    for (topic, outcome), count in sorted(outcomes.items()):
        done.samples.append(("", {"topic": topic, "outcome": outcome.value}, count))
    lags = Family("ppu_consumer_lag", "gauge", "Records behind the high watermark", [])
    lags.samples.extend(("", {"topic": t}, v) for t, v in sorted(lag.items()))
    return [
        done,
        lags,
        Family("ppu_consumer_in_flight", "gauge", "Records not done", [("", {}, in_flight)]),
        Family("ppu_consumer_partitions", "gauge", "Partitions owned", [("", {}, partitions)]),
    ]


def table_families(sizes: Sequence[TableSize]) -> list[Family]:
    """Estimated rows (when known) and bytes per database table."""
    rows = Family("ppu_table_rows_estimate", "gauge", "Rows per table (planner estimate)", [])
    size = Family("ppu_table_bytes", "gauge", "Bytes per table, indexes and TOAST included", [])
    for t in sizes:
        if t.rows_estimate is not None:
            rows.samples.append(("", {"table": t.table}, t.rows_estimate))
        size.samples.append(("", {"table": t.table}, t.bytes))
    return [rows, size]


def exposition(families: Iterable[Family]) -> str:
    """The text a Prometheus server scrapes."""
    return "\n".join(line for family in families for line in family.lines()) + "\n"
