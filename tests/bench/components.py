"""CPU spent by the backing services (PostgreSQL, Kafka) and the bench during a workload.

The throughput targets are about the whole machine: on 2 cores, 1,000 events/s leaves 2 ms of
CPU per event for everything. These readings show where an event's CPU goes besides the
switch. Only the services this bench talks to count: the PostgreSQL server behind its database
URL (its postmaster and every backend) and the Kafka broker listening on its bootstrap port, so
another PostgreSQL or Kafka on a shared machine is not charged to the switch. When they cannot be
located (not local, or not visible), every local `postgres` and Kafka `java` process counts, as
before; services in containers or elsewhere read as absent.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass

import asyncpg
import psutil

COMPONENTS = ("postgres", "kafka", "harness")


@dataclass(frozen=True)
class Backends:
    """Process ids of the PostgreSQL postmaster and the Kafka broker the bench uses, if found."""

    postgres: int | None = None
    kafka: int | None = None


async def locate(database_url: str, bootstrap: str) -> Backends:
    """The postmaster (parent of one of our backends) and the broker listening on our port."""
    postmaster = None
    with contextlib.suppress(OSError, asyncpg.PostgresError, psutil.Error):
        conn = await asyncpg.connect(database_url)
        try:
            postmaster = psutil.Process(await conn.fetchval("SELECT pg_backend_pid()")).ppid()
        finally:
            await conn.close()
    port = int(bootstrap.split(",", maxsplit=1)[0].rpartition(":")[2])
    broker = None
    for proc in psutil.process_iter(["name", "cmdline"]):
        if proc.info["name"] == "java" and any("kafka" in a for a in proc.info["cmdline"] or ()):
            with contextlib.suppress(psutil.Error):
                listening = proc.net_connections(kind="inet")
                if any(c.status == "LISTEN" and c.laddr.port == port for c in listening):
                    broker = proc.pid
    return Backends(postgres=postmaster, kafka=broker)


def _component(proc: psutil.Process, backends: Backends) -> str | None:
    name = proc.info["name"] or ""
    if name == "postgres" or name.startswith("postgres:"):
        ours = backends.postgres is None or backends.postgres in (proc.pid, proc.info["ppid"])
        return "postgres" if ours else None
    if name == "java" and any("kafka" in part for part in proc.info["cmdline"] or ()):
        return "kafka" if backends.kafka in (None, proc.pid) else None
    return None


def cpu_by_component(backends: Backends | None = None) -> dict[int, tuple[str, float]]:
    """Per process of a backing service: (component, user + system CPU seconds so far)."""
    backends = backends or Backends()
    found: dict[int, tuple[str, float]] = {}
    # The bench itself publishes the inputs and reads every outcome, on the same 2 cores.
    own = psutil.Process().cpu_times()
    found[os.getpid()] = ("harness", float(own.user + own.system))
    for proc in psutil.process_iter(["name", "cmdline", "cpu_times", "ppid"]):
        component = _component(proc, backends)
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
