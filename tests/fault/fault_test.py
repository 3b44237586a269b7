"""`make fault-test`: the switch on real Kafka, PostgreSQL and providers under real faults.

Scenarios (each runnable alone with `--scenario NAME`; all by default, in this order):
broker restarts (clean, SIGKILL), PostgreSQL restarts (fast, immediate, a 20 s outage),
Toxiproxy network faults before Kafka, PostgreSQL and one provider, three instances with one
SIGKILLed every few seconds, 5,000 generated bad records among valid ones, and duplicates of
purchase ids. Each prints its figures and problems to stderr; the run ends with one line:

    fault-test: scenarios=N outcomes_missing=N conflicting_outcomes=N double_vends=N
    max_recovery_s=X   (all on the one line)

Exit status 1 when any count is non-zero, or a scenario did not run to its end.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from pathlib import Path

from tests.fault.context import Ctx, Scenario
from tests.fault.infra_faults import SCENARIOS as INFRA
from tests.fault.input_faults import SCENARIOS as INPUT
from tests.fault.judge import judge
from tests.fault.report import Result, came_back, recovery_s
from tests.fault.scene import scene

SCENARIOS: dict[str, Scenario] = {s.name: s for s in [*INFRA, *INPUT]}
BUDGET_S = 240.0  # one scenario's hard limit; the whole run must stay within 12 minutes


def say(message: str) -> None:
    """Progress on stderr, flushed, so a CI log shows where a long run is."""
    print(f"[fault-test {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


async def run_one(ctx: Ctx, scenario: Scenario) -> Result:
    """Build the scenario's world, break it, judge what came back."""
    result = Result(scenario.name)
    started = time.monotonic()
    say(f"--- {scenario.name}: {scenario.doc}")
    try:
        setup = await scenario.setup(ctx)
        named = lambda m: say(f"{scenario.name}: {m}")  # noqa: E731
        rng = random.Random(f"{ctx.seed}:{scenario.name}")
        async with scene(scenario.name, setup, workdir=ctx.workdir, say=named, seed=ctx.seed) as sc:
            try:
                async with asyncio.timeout(BUDGET_S):
                    await scenario.body(ctx, sc, rng)
            except Exception as exc:
                result.error = f"{type(exc).__name__}: {exc}"
            result.findings = judge(sc.sent, sc.collector.records, sc.vends())
            result.recovery_s = recovery_s(sc)
            result.came = came_back(sc)
            result.restarts = sc.restarts
            result.drain_s = sc.drain_s
            result.requests = len(sc.sent)
    except Exception as exc:
        result.error = f"{type(exc).__name__}: {exc}"
    result.seconds = time.monotonic() - started
    for line in result.lines():
        say(line)
    everything = ctx.workdir / f"{scenario.name}-problems.txt"
    everything.write_text("\n".join(result.lines(limit=1_000_000)) + "\n")
    say(f"{scenario.name}: every problem in {everything}")
    return result


def closing_line(results: list[Result]) -> str:
    """The one line the fault test ends with."""
    recoveries = [r.recovery_s for r in results if r.recovery_s is not None]
    never = any(r.recovery_s is None for r in results)
    worst = "never" if never else f"{max(recoveries, default=0.0):.1f}"
    return (
        f"fault-test: scenarios={len(results)}"
        f" outcomes_missing={sum(r.findings.missing_count for r in results)}"
        f" conflicting_outcomes={sum(r.findings.conflicting_count for r in results)}"
        f" double_vends={sum(len(r.findings.vends) for r in results)}"
        f" max_recovery_s={worst}"
    )


async def run(args: argparse.Namespace) -> list[Result]:
    """Every chosen scenario, one after the other, on shared services."""
    state = Path(os.environ.get("PPU_STATE_DIR", Path.cwd() / ".state"))
    workdir = Path(tempfile.mkdtemp(prefix="fault-test-"))
    say(f"seed={args.seed} logs in {workdir}")
    async with AsyncExitStack() as stack:
        ctx = Ctx(workdir=workdir, state_dir=state, seed=args.seed, say=say, stack=stack)
        return [await run_one(ctx, SCENARIOS[name]) for name in args.scenario]


def main() -> int:
    """Parse flags, run, print the summary and the closing line."""
    parser = argparse.ArgumentParser(prog="python -m tests.fault.fault_test", description=__doc__)
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS))
    parser.add_argument("--seed", type=int, default=20261130, help="the bad records' seed too")
    args = parser.parse_args()
    args.scenario = args.scenario or list(SCENARIOS)
    # The harness's own clients retry through the faults on purpose; their warnings are noise.
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    started = time.monotonic()
    results = asyncio.run(run(args))
    say(f"summary after {time.monotonic() - started:.0f}s:")
    for r in results:
        say(r.lines(limit=0)[0])
    print(closing_line(results), flush=True)
    clean = all(r.clean for r in results)
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
