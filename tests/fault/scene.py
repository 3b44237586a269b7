"""One scenario's world: a scratch database, three simulated providers, switch processes under
a supervisor, a collector of every output, and a paced publisher that retries through faults."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import Counter, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from adapters.ppu_v3.simulator.config import Latency, UtilityCoverage
from adapters.ppu_v3.simulator.server import RunningSimulator, running_simulator
from service.topics import Topic
from tests.crash.procs import SwitchProcess, switch_toml
from tests.crash.rig import Collector, await_topics, scratch_database, switch_env
from tests.fault.expect import ENGINE_RECORD_LIMIT, Request, Sent, Want
from tests.support.switch import sim_provider

CITY = UtilityCoverage(utility_id="CPW", name="City Power", prefixes=["0412"], min_amount=100)
INSTITUTIONS = ("INST", "INST2")
RULES = {
    "coverage_window_days": 30,
    "lookup_deadline_s": 3.0,
    "unknown_retries": 6,
    "unknown_deadline_s": 120.0,
    "unknown_backoff_s": 0.3,
    "advice_backoff_s": 0.5,
    "advice_backoff_cap_s": 2.0,
}


def now_ms() -> int:
    """Wall-clock milliseconds, comparable with Kafka record timestamps."""
    return int(time.time() * 1000)


@dataclass(frozen=True, kw_only=True)
class Setup:
    """How a scenario's switch reaches its services."""

    bootstrap: str
    database_url: str  # the admin URL; the scenario's database is made beside it
    instances: int = 1
    switch_db: Callable[[str], str] = lambda url: url  # e.g. through a proxy
    # Addresses to reach providers by instead of their own (a proxy in front of one).
    provider_urls: Callable[[Sequence[RunningSimulator]], Awaitable[Mapping[str, str]]] | None = (
        None
    )
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Scene:
    """What a scenario drives and reads back."""

    name: str
    prefix: str
    sims: list[RunningSimulator]
    switches: list[SwitchProcess]
    collector: Collector
    producer: AIOKafkaProducer
    say: Callable[[str], None]
    sent: list[Sent] = field(default_factory=list)
    windows: list[tuple[str, int, int]] = field(default_factory=list)
    drain_s: float = 0.0

    def topic(self, topic: Topic) -> str:
        """The prefixed topic name."""
        return f"{self.prefix}{topic.value}"

    async def publish(
        self, requests: Iterable[Request], *, rate: float, budget_s: float = 120
    ) -> None:
        """Publish at about `rate` per second; a send the broker refuses is tried again."""
        pending = deque(requests)
        per_tick = max(1, int(rate / 5))
        deadline = time.monotonic() + budget_s
        while pending and time.monotonic() < deadline:
            batch = [pending.popleft() for _ in range(min(per_tick, len(pending)))]
            failed = await self._send(batch)
            pending.extendleft(reversed(failed))
            await asyncio.sleep(0.5 if failed else 0.2)
        if pending:
            raise RuntimeError(f"{len(pending)} inputs could not be published in {budget_s}s")

    async def _send(self, batch: list[Request]) -> list[Request]:
        """Send a batch at once, then wait for each acknowledgement; the failed ones back."""
        failed, waiting = [], []
        for req in batch:
            name = self.topic(req.topic)
            try:
                future = await self.producer.send(name, req.value, key=req.key)
            except KafkaError:
                failed.append(req)
                continue
            waiting.append((req, name, now_ms(), future))
        for req, name, at, future in waiting:
            try:
                meta = await asyncio.wait_for(future, 20)
            except (KafkaError, TimeoutError):
                failed.append(req)
                continue
            self.sent.append(Sent(req, name, meta.partition, meta.offset, at))
        return failed

    def owed(self) -> tuple[Counter[str], int]:
        """Outcomes owed per request id, and how many dead letters are owed."""
        owed: Counter[str] = Counter(
            s.request.rid
            for s in self.sent
            if s.request.rid and s.request.want in (Want.ANSWER, Want.INVALID)
        )
        letters = sum(1 for s in self.sent if s.request.want is Want.DEAD_LETTER)
        return owed, letters

    def progress(self) -> tuple[int, int]:
        """(come, owed): outcomes (per request id, up to what it is owed) and dead letters."""
        owed, letters = self.owed()
        outcomes = self.collector.outcomes
        come = sum(min(len(outcomes.get(rid, ())), n) for rid, n in owed.items())
        return come + min(self.collector.letters, letters), owed.total() + letters

    async def wait_for(self, share: float, timeout_s: float, stall_s: float = 20.0) -> float:
        """Until `share` of everything owed so far has come, nothing came for `stall_s`, or the
        timeout; returns the seconds waited."""
        start = last_news = last_say = time.monotonic()
        seen = -1
        while time.monotonic() - start < timeout_s and time.monotonic() - last_news < stall_s:
            done, owed = self.progress()
            if owed and done >= share * owed:
                break
            if done != seen:
                seen, last_news = done, time.monotonic()
            if time.monotonic() - last_say > 5:
                self.say(f"answered {done}/{owed}; restarts {self.restarts}")
                last_say = time.monotonic()
            await asyncio.sleep(0.25)
        return time.monotonic() - start

    async def drain(self, timeout_s: float, stall_s: float = 20.0) -> None:
        """Wait for everything owed (bounded as `wait_for`), then a last look for stragglers."""
        self.drain_s = await self.wait_for(1.0, timeout_s, stall_s)
        await asyncio.sleep(2)  # copies of outcomes still in flight would show now

    @property
    def restarts(self) -> int:
        """Restarts the supervisor made after a switch exited on its own."""
        return sum(s.restarts for s in self.switches)

    @asynccontextmanager
    async def fault(self, label: str) -> AsyncIterator[None]:
        """Record the fault's window (its end is where recovery is measured from)."""
        start = now_ms()
        self.say(f"fault {label}: begins at {self.progress()[0]}/{self.progress()[1]} answered")
        yield
        self.windows.append((label, start, now_ms()))
        self.say(f"fault {label}: ended after {(now_ms() - start) / 1000:.1f}s")

    def vends(self) -> dict[str, list[tuple[str, int]]]:
        """(meter, amount) of each vend per purchase id, over every provider's ledger."""
        vends: dict[str, list[tuple[str, int]]] = {}
        for sim in self.sims:
            for vend in sim.ledger.vends():
                vends.setdefault(vend.purchase_id, []).append((vend.meter_id, vend.amount))
        return vends


async def _providers(
    stack: AsyncExitStack, setup: Setup, seed: int
) -> tuple[list[RunningSimulator], str]:
    """Three simulated providers of City Power, and the switch's configuration for them."""
    # Slow enough answers that a fault always finds work in flight (between call and commit).
    latency = Latency(min_ms=100, max_ms=600)
    sims = [
        await stack.enter_async_context(
            running_simulator(sim_provider(pid, CITY, latency=latency, seed=seed + i))
        )
        for i, pid in enumerate(("P1", "P2", "P3"))
    ]
    urls = await setup.provider_urls(sims) if setup.provider_urls else {}
    return sims, switch_toml(sims, rules=RULES, institutions=INSTITUTIONS, base_urls=urls)


async def _switches(
    stack: AsyncExitStack, env: dict[str, str], count: int, logs: Path, say: Callable[[str], None]
) -> list[SwitchProcess]:
    """`count` switch processes in one consumer group, each under a supervisor."""
    switches = [SwitchProcess(env, logs.with_name(f"{logs.name}{i}.log")) for i in range(count)]
    for switch in switches:
        await switch.start()
        stack.push_async_callback(switch.stop)
        task = asyncio.create_task(switch.supervise(say=say))
        stack.callback(task.cancel)  # runs before the stop above: no restart while stopping
    return switches


@asynccontextmanager
async def scene(
    name: str, setup: Setup, *, workdir: Path, say: Callable[[str], None], seed: int
) -> AsyncIterator[Scene]:
    """Build the world of one scenario, and take it down afterwards."""
    prefix = f"f{uuid.uuid4().hex[:6]}-{name}."
    async with AsyncExitStack() as stack:
        _, db_url = await stack.enter_async_context(scratch_database(setup.database_url, "fault"))
        sims, toml = await _providers(stack, setup, seed)
        config = workdir / f"{name}.toml"
        config.write_text(toml)
        env = switch_env(
            bootstrap=setup.bootstrap,
            database_url=setup.switch_db(db_url),
            prefix=prefix,
            config=config,
            sims=sims,
            # The limit the judge expects oversize records to be refused at.
            extra={"PPU_ENGINE_MAX_RECORD_BYTES": str(ENGINE_RECORD_LIMIT), **setup.env},
        )
        switches = await _switches(stack, env, setup.instances, workdir / f"{name}-switch", say)
        await await_topics(setup.bootstrap, prefix)
        producer = AIOKafkaProducer(
            bootstrap_servers=setup.bootstrap,
            acks="all",
            enable_idempotence=True,
            linger_ms=5,
            request_timeout_ms=15_000,
            max_request_size=1_048_576,
        )
        await producer.start()
        stack.push_async_callback(producer.stop)
        collector = Collector(setup.bootstrap, prefix)
        stop = asyncio.Event()
        stack.push_async_callback(_stop_collector, stop, asyncio.create_task(collector.run(stop)))
        say(f"switch log(s): {workdir}/{name}-switch*.log; topics {prefix}*")
        yield Scene(name, prefix, sims, switches, collector, producer, say)


async def _stop_collector(stop: asyncio.Event, task: asyncio.Task[None]) -> None:
    stop.set()
    with contextlib.suppress(asyncio.TimeoutError, KafkaError):
        await asyncio.wait_for(task, 30)
