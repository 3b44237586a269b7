"""Benchmark: adapter round trips per second for lookups fanned out to 3 simulated providers."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
import uuid
from contextlib import AsyncExitStack
from datetime import UTC, datetime

import structlog

from adapters.ppu_v3.client import PpuV3Client
from adapters.ppu_v3.settings import OperationTimeouts, ProviderSettings
from adapters.ppu_v3.simulator.config import SimProviderConfig
from adapters.ppu_v3.simulator.server import running_simulator
from service.domain.provider_results import Succeeded
from service.ports.provider import LookupRequest

PROVIDERS = 3


def _settings(index: int, base_url: str, concurrency: int) -> ProviderSettings:
    """Adapter settings for the n-th simulated provider."""
    return ProviderSettings(
        provider_id=f"9000{index}",
        name=f"Bench {index}",
        base_url=base_url,
        username="bench",
        password="bench",
        timeouts=OperationTimeouts(lookup=5.0),
        max_connections=max(concurrency, 1),
    )


async def _worker(clients: list[PpuV3Client], deadline: float, counts: dict[str, int]) -> None:
    """Fan one lookup out to every provider at a time until the deadline."""
    meters = ("TST001", "TST003", "TST007")
    n = 0
    while time.monotonic() < deadline:
        request = LookupRequest(
            lookup_id=str(uuid.uuid4()),
            institution_id="270001",
            meter_number=meters[n % len(meters)],
            requested_at=datetime.now(UTC),
        )
        outcomes = await asyncio.gather(*(c.lookup_meter(request) for c in clients))
        counts["round_trips"] += len(outcomes)
        counts["fan_outs"] += 1
        counts["errors"] += sum(not isinstance(o, Succeeded) for o in outcomes)
        n += 1


async def _progress(deadline: float, counts: dict[str, int]) -> None:
    """Print the running count once a second."""
    while time.monotonic() < deadline:
        await asyncio.sleep(1.0)
        print(f"  ... {counts['round_trips']} round trips", file=sys.stderr, flush=True)


async def run_adapter_bench(*, seconds: float, concurrency: int) -> dict[str, float]:
    """Run the benchmark: round trips and fan-outs per second, errors, CPU per round trip."""
    counts = {"round_trips": 0, "fan_outs": 0, "errors": 0}
    async with AsyncExitStack() as stack:
        sims = [
            await stack.enter_async_context(
                running_simulator(SimProviderConfig(provider_id=str(i)))
            )
            for i in range(PROVIDERS)
        ]
        clients = [
            await stack.enter_async_context(
                PpuV3Client(settings=_settings(i, sim.base_url, concurrency))
            )
            for i, sim in enumerate(sims)
        ]
        started = time.monotonic()
        cpu_started = time.process_time()
        deadline = started + seconds
        await asyncio.gather(
            _progress(deadline, counts),
            *(_worker(clients, deadline, counts) for _ in range(concurrency)),
        )
        elapsed = time.monotonic() - started
        cpu = time.process_time() - cpu_started
    return {
        "round_trips_per_second": counts["round_trips"] / elapsed,
        "fan_outs_per_second": counts["fan_outs"] / elapsed,
        "errors": float(counts["errors"]),
        "seconds": elapsed,
        # Client and simulators share this process: CPU per round trip is both sides' cost, and
        # on a busy machine it is steadier than the rate.
        "cpu_us_per_round_trip": cpu / max(counts["round_trips"], 1) * 1e6,
    }


def main() -> None:
    """Print the figures: `python -m tests.bench.adapter_bench --seconds 10 --concurrency 16`."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    # One info line per call would measure the console, not the adapter.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    result = asyncio.run(run_adapter_bench(seconds=args.seconds, concurrency=args.concurrency))
    print(
        f"adapter lookups fanned out to {PROVIDERS} providers, concurrency {args.concurrency}: "
        f"{result['round_trips_per_second']:.0f} round trips/s "
        f"({result['fan_outs_per_second']:.0f} fan-outs/s, {result['errors']:.0f} errors, "
        f"{result['seconds']:.1f} s, {result['cpu_us_per_round_trip']:.0f} us CPU per round trip)"
    )


if __name__ == "__main__":
    main()
