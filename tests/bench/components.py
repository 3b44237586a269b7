"""CPU spent by the backing services (PostgreSQL, Kafka) and the bench during a workload.

The throughput targets are about the whole machine: on 2 cores, 1,000 events/s leaves 2 ms of
CPU per event for everything. These readings show where an event's CPU goes besides the
switch. Only local processes count; services in containers or elsewhere read as absent.
"""

from __future__ import annotations

import os

import psutil

COMPONENTS = ("postgres", "kafka", "harness")


def _component(proc: psutil.Process) -> str | None:
    name = proc.info["name"] or ""
    if name == "postgres" or name.startswith("postgres:"):
        return "postgres"
    if name == "java" and any("kafka" in part for part in proc.info["cmdline"] or ()):
        return "kafka"
    return None


def cpu_by_component() -> dict[int, tuple[str, float]]:
    """Per process of a backing service: (component, user + system CPU seconds so far)."""
    found: dict[int, tuple[str, float]] = {}
    # The bench itself publishes the inputs and reads every outcome, on the same 2 cores.
    own = psutil.Process().cpu_times()
    found[os.getpid()] = ("harness", float(own.user + own.system))
    for proc in psutil.process_iter(["name", "cmdline", "cpu_times"]):
        component = _component(proc)
        times = proc.info["cpu_times"]
        if component is not None and times is not None:
            found[proc.pid] = (component, float(times.user + times.system))
    return found


def spent(
    before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]
) -> dict[str, float]:
    """CPU seconds per component between two readings (a process new since `before` counts whole).

    A backend that exited in between is missed; the switch keeps its pool's connections open.
    """
    totals = dict.fromkeys(COMPONENTS, 0.0)
    for pid, (component, cpu) in after.items():
        totals[component] += cpu - before.get(pid, (component, 0.0))[1]
    return totals
