"""Which processes' CPU counts as PostgreSQL and Kafka: the bench's own servers only, if found."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from tests.bench.components import Backends, _component, spent


def _proc(pid: int, name: str, ppid: int = 1, cmdline: tuple[str, ...] = ()) -> Any:
    return SimpleNamespace(pid=pid, info={"name": name, "ppid": ppid, "cmdline": cmdline})


KAFKA = ("java", "-cp", "/cache/kafka-4.1.1/libs/*", "kafka.Kafka")


def test_only_the_located_servers_and_their_backends_count() -> None:
    """Another agent's postmaster, backends and broker on a shared machine are not charged."""
    ours = Backends(postgres=100, kafka=200)
    assert _component(_proc(100, "postgres"), ours) == "postgres"
    assert _component(_proc(101, "postgres: ppu bench_1 idle", ppid=100), ours) == "postgres"
    assert _component(_proc(300, "postgres"), ours) is None
    assert _component(_proc(301, "postgres: checkpointer", ppid=300), ours) is None
    assert _component(_proc(200, "java", cmdline=KAFKA), ours) == "kafka"
    assert _component(_proc(400, "java", cmdline=KAFKA), ours) is None
    assert _component(_proc(500, "python3"), ours) is None


def test_without_located_servers_every_local_one_counts() -> None:
    """Not located (remote, or not visible): every postgres and Kafka java process, as before."""
    unknown = Backends()
    assert _component(_proc(300, "postgres"), unknown) == "postgres"
    assert _component(_proc(400, "java", cmdline=KAFKA), unknown) == "kafka"
    assert _component(_proc(401, "java", cmdline=("java", "-jar", "other.jar")), unknown) is None


def test_spent_counts_differences_and_new_processes_whole() -> None:
    """CPU seconds per component between two readings."""
    before = {1: ("postgres", 2.0), 2: ("kafka", 5.0), 3: ("harness", 1.0)}
    after = {1: ("postgres", 2.5), 2: ("kafka", 5.25), 3: ("harness", 1.5), 4: ("postgres", 0.25)}
    assert spent(before, after) == {"postgres": 0.75, "kafka": 0.25, "harness": 0.5}
