"""The benchmark rig: fresh databases and topics, the simulators, the switch and its two peers.

    async with bench_rig(options) as rig:
        await rig.switch_traffic.run(...)   # the switch, a separate `python -m service run`
        await rig.naive_traffic.run(...)    # the naive consumer, `python -m tests.bench.naive`
        await rig.lean_traffic.run(...)     # the lean peer, `python -m tests.bench.lean`

Each has its own database, topic prefix and consumer group. On exit (also on errors and Ctrl-C)
the switch and the peers are stopped first (they drain against live providers), then the
simulators; topics and databases are deleted last.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiokafka.admin import AIOKafkaAdminClient

from adapters.kafka.admin import ensure_topics
from service.topics import topic_specs
from tests.bench.components import Backends, locate
from tests.bench.configs import PROVIDERS, BenchTopology, simulators_toml, switch_toml
from tests.bench.stack import Child, free_port, fresh_database, ledger_counts, spawn, wait_http
from tests.bench.traffic import Traffic

ROOT = Path(__file__).resolve().parents[2]
INPUT_PARTITIONS = 12  # the service's defaults, so the switch sees the topics it would create
OUTPUT_PARTITIONS = 6


@dataclass(kw_only=True)
class RigOptions:
    """How to build the rig."""

    latency_ms: float = 50.0
    faulty_timeout_s: float = 1.0
    hang_seconds: float = 2.0
    max_connections: int = 100
    instances: int = 1
    lean: bool = True
    profile: Path | None = None
    log_dir: Path | None = None
    service_env: Mapping[str, str] = field(default_factory=dict)


@dataclass(kw_only=True)
class Rig:
    """The running parts and how to talk to them."""

    options: RigOptions
    topology: BenchTopology
    workdir: Path
    switches: list[Child]
    naive: Child
    simulators: Child
    switch_traffic: Traffic
    naive_traffic: Traffic
    lean: Child | None = None
    lean_traffic: Traffic | None = None
    backends: Backends = field(default_factory=Backends)

    async def restart_simulators(self, *, hang_share: float) -> None:
        """Replace the simulator process with one whose faulty provider hangs `hang_share`."""
        await self.simulators.stop()
        self.simulators = await start_simulators(
            self.topology, self.workdir, hang_share, self.options.hang_seconds
        )

    async def settle(self, timeout_s: float = 60.0) -> None:
        """Wait until the providers' ledgers stop growing (confirmation advices delivered)."""
        deadline, last, steady = time.monotonic() + timeout_s, None, 0
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline and steady < 3:
                urls = [self.topology.base_url(pid) for pid, *_ in PROVIDERS]
                counts = [await ledger_counts(session, url) for url in urls]
                steady = steady + 1 if counts == last else 0
                last = counts
                await asyncio.sleep(1.0)


async def start_simulators(
    topo: BenchTopology, workdir: Path, hang_share: float, hang_s: float
) -> Child:
    """Write the simulator file and start the three providers as one process."""
    path = workdir / "simulators.toml"
    path.write_text(simulators_toml(topo, hang_share=hang_share, hang_s=hang_s))
    child = await spawn(
        "simulators",
        ["-m", "adapters.simulator", "--config", str(path)],
        env={},
        log_dir=workdir,
        cwd=ROOT,
    )
    try:
        for pid, *_ in PROVIDERS:
            await wait_http(f"{topo.base_url(pid)}_sim/state", child)
    except BaseException:  # includes cancellation: the caller never learns of this child
        await child.stop()
        raise
    return child


def _service_env(
    topo: BenchTopology, *, bootstrap: str, db: str, prefix: str, config: Path
) -> dict[str, str]:
    """The environment of a switch (or naive consumer) process."""
    return {
        "PPU_KAFKA_BOOTSTRAP": bootstrap,
        "PPU_DATABASE_URL": db,
        "PPU_TOPIC_PREFIX": prefix,
        "PPU_CONSUMER_GROUP": f"{prefix}switch",
        "PPU_CONFIG_FILE": str(config),
        "PPU_LOG_LEVEL": "WARNING",
        "PPU_LOG_FORMAT": "json",
        # Any free port: instances (and a `make run` beside the bench) must not collide.
        "PPU_HEALTH_PORT": "0",
        **topo.password_env(),
    }


async def _topics(bootstrap: str, prefixes: list[str], *, delete: bool = False) -> None:
    """Create (or delete) every contract topic under each prefix."""
    specs = [
        s
        for p in prefixes
        for s in topic_specs(
            prefix=p, input_partitions=INPUT_PARTITIONS, output_partitions=OUTPUT_PARTITIONS
        )
    ]
    if not delete:
        await ensure_topics(bootstrap, specs)
        return
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        with contextlib.suppress(Exception):  # best effort: a leftover topic harms nothing
            await admin.delete_topics([s.name for s in specs])
    finally:
        await admin.close()


async def _start_switches(
    options: RigOptions, env: dict[str, str], workdir: Path, children: list[Child]
) -> list[Child]:
    """The switch processes; several share the consumer group (and partitions), as in production.

    Each goes into `children` as soon as it runs, so a failure later still stops it.
    """
    switches: list[Child] = []
    for n in range(options.instances):
        args = ["-m", "service", "run"]
        if n == 0 and options.profile is not None:  # profile the first only
            args = ["-m", "tests.bench.profiled", str(options.profile)]
        name = "switch" if n == 0 else f"switch-{n + 1}"
        env_n = {**env, **options.service_env}
        switches.append(await spawn(name, args, env=env_n, log_dir=workdir, cwd=ROOT))
        children.insert(n, switches[-1])
    return switches


def _topology(options: RigOptions) -> BenchTopology:
    """Free ports and a fresh password for the simulated providers."""
    return BenchTopology(
        ports={pid: free_port() for pid, *_ in PROVIDERS},
        password=secrets.token_urlsafe(16),
        latency_ms=options.latency_ms,
        faulty_timeout_s=options.faulty_timeout_s,
        max_connections=options.max_connections,
    )


async def _traffic(stack: AsyncExitStack, bootstrap: str, prefix: str) -> Traffic:
    """A producer and outcome collector for one prefix, closed with the stack."""
    return await stack.enter_async_context(
        Traffic(bootstrap=bootstrap, prefix=prefix, output_partitions=OUTPUT_PARTITIONS)
    )


async def _start_consumers(
    options: RigOptions, envs: dict[str, dict[str, str]], workdir: Path, children: list[Child]
) -> tuple[list[Child], Child, Child | None]:
    """The switches, the naive consumer and the lean peer, each added to `children` at once."""
    switches = await _start_switches(options, envs[""], workdir, children)
    naive = await spawn(
        "naive", ["-m", "tests.bench.naive"], env=envs["naive."], log_dir=workdir, cwd=ROOT
    )
    children.insert(-1, naive)
    if not options.lean:
        return switches, naive, None
    # With the switch's engine tuning: as many events at once as the switch.
    env = {**envs["lean."], **options.service_env}
    lean = await spawn("lean", ["-m", "tests.bench.lean"], env=env, log_dir=workdir, cwd=ROOT)
    children.insert(-1, lean)
    return switches, naive, lean


@asynccontextmanager
async def bench_rig(options: RigOptions) -> AsyncIterator[Rig]:
    """Build everything, yield the rig, tear everything down in order."""
    bootstrap = os.environ.get("PPU_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    server = os.environ.get("PPU_DATABASE_URL", "postgresql://ppu@127.0.0.1:5433/ppu")
    run_id = uuid.uuid4().hex[:8]
    prefixes = {p: f"bench-{run_id}.{p}" for p in ("", "naive.", "lean.")}
    async with AsyncExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ppu-bench-")))
        if options.log_dir is not None:  # runs after the children stopped, so logs are whole
            stack.callback(_keep_logs, workdir, options.log_dir)
        dbs = {
            p: await stack.enter_async_context(fresh_database(server, f"bench_{p}".rstrip("._")))
            for p in prefixes
        }
        stack.push_async_callback(_topics, bootstrap, [*prefixes.values()], delete=True)
        await _topics(bootstrap, [*prefixes.values()])
        topo = _topology(options)
        config = workdir / "switch.toml"
        config.write_text(switch_toml(topo))
        envs = {
            p: _service_env(topo, bootstrap=bootstrap, db=dbs[p], prefix=name, config=config)
            for p, name in prefixes.items()
        }
        children: list[Child] = [await start_simulators(topo, workdir, 0.0, options.hang_seconds)]
        # Registered before the rest start: whatever did start is stopped, consumers first.
        stack.push_async_callback(_stop_all, children)
        switches, naive, lean = await _start_consumers(options, envs, workdir, children)
        rig = Rig(
            options=options,
            topology=topo,
            workdir=workdir,
            switches=switches,
            naive=naive,
            simulators=children[-1],
            switch_traffic=await _traffic(stack, bootstrap, prefixes[""]),
            naive_traffic=await _traffic(stack, bootstrap, prefixes["naive."]),
            lean=lean,
            lean_traffic=await _traffic(stack, bootstrap, prefixes["lean."]) if lean else None,
            backends=await locate(server, bootstrap),
        )
        try:
            yield rig
        finally:
            children[-1] = rig.simulators  # the current simulator process, after any restart


def _keep_logs(workdir: Path, log_dir: Path) -> None:
    """Copy the children's logs (never the generated files: they hold the password)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    for log in workdir.glob("*.log"):
        shutil.copy(log, log_dir / log.name)


async def _stop_all(children: list[Child]) -> None:
    """Stop the children in list order: consumers before the providers they drain against."""
    for child in children:
        await child.stop()
