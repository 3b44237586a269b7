"""`make crash-test`: SIGKILL the switch five times while it works, then count what went wrong.

Publishes purchases (with some duplicate purchase ids) and lookups for a few hundred meters,
kills the service process at random moments and restarts it, then reads every output topic
back and checks the simulators' ledgers. Ends with one line:

    crash-test: outcomes_missing=N conflicting_outcomes=N double_vends=N

Exit status 0 only when all three are zero.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
import uuid
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaProducer

from adapters.ppu_v3.simulator.config import Faults, UtilityCoverage
from adapters.ppu_v3.simulator.server import RunningSimulator, running_simulator
from schemas import canonical_bytes
from service.topics import Topic
from tests.crash.checks import Verdict, judge
from tests.crash.procs import SwitchProcess, switch_toml
from tests.crash.rig import Collector, await_topics, scratch_database, switch_env
from tests.support.events import lookup, purchase
from tests.support.switch import sim_provider

CITY = UtilityCoverage(utility_id="CPW", name="City Power", prefixes=["0412"], min_amount=100)
RULES = {
    "coverage_window_days": 30,
    "lookup_deadline_s": 3.0,
    "unknown_retries": 6,
    "unknown_deadline_s": 120.0,
    "unknown_backoff_s": 0.3,
    "advice_backoff_s": 0.5,
    "advice_backoff_cap_s": 2.0,
}


def say(message: str) -> None:
    """Progress on stderr, flushed, so a CI log shows where a long run is."""
    print(f"[crash-test {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _inputs(count: int, rng: random.Random) -> list[tuple[Topic, Any]]:
    """About 3/4 purchases (1 in 20 sent twice with one purchase id), 1/4 lookups."""
    meters = [f"0412{n:07d}" for n in rng.sample(range(10_000_000), 300)]
    events: list[tuple[Topic, Any]] = []
    while len(events) < count:
        meter = rng.choice(meters)
        if rng.random() < 0.25:
            events.append((Topic.LOOKUP_REQUESTED, lookup(meter)))
            continue
        request = purchase(meter, rng.choice([0, 500, 2000, 5000]) or 1000)
        events.append((Topic.PURCHASE_REQUESTED, request))
        if rng.random() < 0.05:
            events.append(
                (
                    Topic.PURCHASE_REQUESTED,
                    purchase(meter, request.amount.value, purchase_id=request.purchase_id),
                )
            )
    return events[:count]


async def _publish(
    bootstrap: str, prefix: str, events: list[tuple[Topic, Any]], rate: float
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
    await producer.start()
    try:
        for i, (topic, event) in enumerate(events):
            await producer.send(
                f"{prefix}{topic.value}", canonical_bytes(event), key=event.meter_number.encode()
            )
            if i % 100 == 99:
                await producer.flush()
                say(f"published {i + 1}/{len(events)}")
                await asyncio.sleep(100 / rate)
        await producer.flush()
    finally:
        await producer.stop()


async def _killer(
    switch: SwitchProcess, kills: int, rng: random.Random, progress: Any, total: int
) -> None:
    """Kill at random points of the work itself: when the answered share crosses thresholds."""
    thresholds = sorted(rng.uniform(0.05, 0.9) for _ in range(kills))
    for n, share in enumerate(thresholds):
        while progress() < share * total:  # noqa: ASYNC110 - progress is read from the collector
            await asyncio.sleep(0.05)
        await asyncio.sleep(rng.uniform(0.0, 0.5))
        await switch.kill()
        say(f"SIGKILL {n + 1}/{kills} at {progress()}/{total} answered")
        await asyncio.sleep(rng.uniform(0.0, 1.0))
        await switch.start()


async def run(args: argparse.Namespace) -> Verdict:
    """The whole scenario; returns the verdict."""
    bootstrap = os.environ["PPU_KAFKA_BOOTSTRAP"]
    rng = random.Random(args.seed)
    prefix = f"crash{uuid.uuid4().hex[:8]}."
    workdir = Path(tempfile.mkdtemp(prefix="crash-test-"))
    async with AsyncExitStack() as stack:
        db_name, db_url = await stack.enter_async_context(
            scratch_database(os.environ["PPU_DATABASE_URL"], "crash")
        )
        say(
            f"seed={args.seed} prefix={prefix} database={db_name}"
            f" inputs={args.events} kills={args.kills}"
        )
        # Answers lost after the vend are the hard case for recovery: the retry must find them.
        faults = Faults(error_500=0.02, error_504=0.02, hang=0.01, hang_seconds=2.0)
        sims: list[RunningSimulator] = [
            await stack.enter_async_context(
                running_simulator(sim_provider(pid, CITY, faults=faults, seed=args.seed + i))
            )
            for i, pid in enumerate(("P1", "P2", "P3"))
        ]
        config = workdir / "switch.toml"
        config.write_text(switch_toml(sims, rules=RULES))
        env = switch_env(
            bootstrap=bootstrap, database_url=db_url, prefix=prefix, config=config, sims=sims
        )
        switch = SwitchProcess(env, workdir / "switch.log")
        await switch.start()
        stack.push_async_callback(switch.stop)
        await await_topics(bootstrap, prefix)
        collector = Collector(bootstrap, prefix)
        stop = asyncio.Event()
        collecting = asyncio.create_task(collector.run(stop))
        events = _inputs(args.events, rng)
        lookups = {e.lookup_id for t, e in events if t is Topic.LOOKUP_REQUESTED}
        purchases = {str(e.purchase_id) for t, e in events if t is Topic.PURCHASE_REQUESTED}
        total = len(lookups) + len(purchases)
        progress = lambda: collector.answered(lookups | purchases)  # noqa: E731
        killing = asyncio.create_task(_killer(switch, args.kills, rng, progress, total))
        await _publish(bootstrap, prefix, events, args.rate)
        deadline = time.monotonic() + args.settle_s
        while time.monotonic() < deadline and (progress() < total or not killing.done()):
            await asyncio.sleep(2)
            if switch.died:
                say(f"the service died on its own:\n{switch.log_tail()}")
                break
            say(f"answered {progress()}/{total}; kills so far {switch.starts - 1}")
        if not killing.done():
            killing.cancel()
            say("not every kill happened before the deadline")
        await asyncio.sleep(2)  # a last look for copies of outcomes still in flight
        stop.set()
        await collecting
        await switch.stop()
        vends = {pid: sum(len(s.ledger.vends(pid)) for s in sims) for pid in purchases}
        verdict = judge(
            lookups=lookups, purchases=purchases, outputs=collector.pairs(), vends=vends
        )
        for example in verdict.examples:
            say(f"problem: {example}")
        say(f"switch log: {workdir / 'switch.log'}")
        return verdict


def main() -> int:
    """Parse flags, run, print the closing line."""
    parser = argparse.ArgumentParser(prog="python -m tests.crash.crash_test", description=__doc__)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--rate", type=float, default=150.0, help="inputs published per second")
    parser.add_argument("--settle-s", type=float, default=240.0, help="wait for outcomes this long")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    verdict = asyncio.run(run(args))
    print(verdict.line, flush=True)
    clean = verdict.outcomes_missing == verdict.conflicting_outcomes == verdict.double_vends == 0
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
