"""Benchmark: the switch end to end (Kafka, PostgreSQL, 3 simulated providers) vs a naive consumer.

    python -m tests.bench.stream_bench [--events 4000] [--naive-events 200] [--lean-events N]
        [--latency-ms 50] [--workloads known_lookups,broadcast_lookups,purchases,fault_run]

Reads PPU_KAFKA_BOOTSTRAP and PPU_DATABASE_URL (a fresh database is created on that server and
dropped at the end). Prints figures, never asserts; writes bench-results.json at the repo root.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import time
from pathlib import Path

import structlog
import uvloop

from tests.bench.components import Backends
from tests.bench.report import cpu_table, details, peers_table, table, write_json
from tests.bench.rig import ROOT, RigOptions, bench_rig
from tests.bench.targets import evaluate, targets_table
from tests.bench.workloads import WORKLOADS, Plan, run_workloads

# The switch runs with its own defaults unless --env says otherwise: a burst waits for one of
# PPU_ENGINE_MAX_RUNNING slots before its deadline starts, so the defaults are what we measure.
BENCH_TUNING: dict[str, str] = {}
# What --env may set on the switch: its tuning, and its log level for diagnosis.
TUNABLE = ("PPU_ENGINE_", "PPU_RELAY_", "PPU_DB_POOL_SIZE", "PPU_LOG_LEVEL")


def _workloads(text: str) -> tuple[str, ...]:
    chosen = tuple(w.strip() for w in text.split(",") if w.strip())
    if unknown := set(chosen) - set(WORKLOADS):
        raise argparse.ArgumentTypeError(
            f"unknown workloads {sorted(unknown)}; pick from {WORKLOADS}"
        )
    return chosen


def _env_pair(text: str) -> tuple[str, str]:
    name, _, value = text.partition("=")
    if not name.startswith(TUNABLE) or not value:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE with NAME starting {TUNABLE}")
    return name, value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m tests.bench.stream_bench", description=__doc__)
    parser.add_argument("--events", type=int, default=4000, help="events per workload")
    parser.add_argument(
        "--naive-events", type=int, default=200, help="events per naive run (0: skip the naive)"
    )
    parser.add_argument(
        "--lean-events",
        type=int,
        help="events per lean-peer run (default: --events; 0: skip the lean peer)",
    )
    parser.add_argument("--latency-ms", type=float, default=50.0, help="fixed provider latency")
    parser.add_argument("--workloads", type=_workloads, default=WORKLOADS)
    parser.add_argument(
        "--paced-seconds", type=float, default=15.0, help="length of the half-rate paced runs"
    )
    parser.add_argument("--hang-share", type=float, default=0.1, help="fault run: share that hangs")
    parser.add_argument(
        "--fault-timeout-s", type=float, default=1.0, help="lookup timeout of the hanging provider"
    )
    parser.add_argument("--max-connections", type=int, default=100, help="per provider")
    parser.add_argument(
        "--instances", type=int, default=1, help="switch processes in the consumer group"
    )
    parser.add_argument(
        "--env",
        type=_env_pair,
        action="append",
        default=[],
        metavar="PPU_ENGINE_X=V",
        help="engine/relay tuning for the switch process (repeatable)",
    )
    parser.add_argument(
        "--profile", type=Path, help="run the switch under cProfile, writing this file"
    )
    parser.add_argument("--log-dir", type=Path, help="keep the child processes' logs here")
    parser.add_argument("--output", type=Path, default=ROOT / "bench-results.json")
    args = parser.parse_args(argv)
    if args.lean_events is None:
        args.lean_events = args.events
    return args


def _scope(pid: int | None, found: str) -> str:
    return f"{found} {pid} only" if pid else "every local process (not located)"


def _summary(args: argparse.Namespace, options: RigOptions, found: Backends, wall_s: float) -> str:
    """What was run, and how, above the tables."""
    tuning = " ".join(f"{k}={v}" for k, v in options.service_env.items()) or "defaults"
    return (
        f"\nstream bench: 3 simulated providers at {args.latency_ms:.0f} ms fixed latency, "
        f"{args.events} events per workload, {wall_s:.0f} s in all.\n"
        f"Naive consumer (one event at a time, commit after each): {args.naive_events} events "
        f"per workload; its rate is extrapolated to the full workload for the speedup.\n"
        f"Lean peer (tests/bench/lean.py, no rules, group commit): {args.lean_events} events "
        f"per workload.\n"
        f"Latency: input record timestamp to outcome record timestamp (CreateTime).\n"
        f"PostgreSQL CPU: {_scope(found.postgres, 'the server of pid')}; Kafka CPU: "
        f"{_scope(found.kafka, 'the broker of pid')} (see tests/bench/components.py).\n"
        f"Switch: {args.instances} instance(s) in one consumer group (CPU and RSS are their sums); "
        f"tuning: {tuning}"
    )


async def bench(args: argparse.Namespace) -> None:
    """Build the rig, run the workloads, print and write the figures."""
    options = RigOptions(
        latency_ms=args.latency_ms,
        faulty_timeout_s=args.fault_timeout_s,
        max_connections=args.max_connections,
        instances=args.instances,
        lean=args.lean_events > 0,
        profile=args.profile.resolve() if args.profile else None,
        service_env={**BENCH_TUNING, **dict(args.env)},
        log_dir=args.log_dir,
    )
    plan = Plan(
        events=args.events,
        naive_events=args.naive_events,
        lean_events=args.lean_events,
        paced_seconds=args.paced_seconds,
        hang_share=args.hang_share,
        workloads=args.workloads,
    )
    started = time.monotonic()
    print(
        "starting: fresh databases and topics, simulators, switch, naive consumer, lean peer",
        file=sys.stderr,
    )
    async with bench_rig(options) as rig:
        results = await run_workloads(rig, plan)
    print(_summary(args, options, rig.backends, time.monotonic() - started))
    print(table(results))
    print("\n" + cpu_table(results))
    print("\n" + peers_table(results))
    checked = evaluate(results, latency_ms=args.latency_ms, instances=args.instances)
    lines = targets_table(results, latency_ms=args.latency_ms, instances=args.instances)
    print("\n".join(["", *details(results), "", *lines]))
    write_json(args.output, results, checked)
    print(f"\nwrote {args.output}")


async def _main(args: argparse.Namespace) -> None:
    """Run the benchmark; SIGTERM cancels it like Ctrl-C, so every child is stopped."""
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    await bench(args)


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    # The bench's own library chatter (topic creation, consumer joins) would bury the figures.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    logging.basicConfig(level=logging.WARNING)
    try:
        uvloop.run(_main(args))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("interrupted: every process stopped, databases dropped", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
