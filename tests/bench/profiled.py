"""The switch under cProfile with a CPU clock: `python -m tests.bench.profiled OUT.prof`.

`python -m cProfile` times with the wall clock, which on a busy 2-core machine charges
preemption to whatever call was running (a socket send looked like 14% of the time); a
process-time clock shows where the switch's own CPU goes. The profile is written on exit.
"""

from __future__ import annotations

import cProfile
import sys
import time

from service.__main__ import main


def run_profiled(out: str) -> int:
    """Run `python -m service run` in-process under the profiler; dump the stats on exit."""
    profiler = cProfile.Profile(time.process_time)
    try:
        status: int = profiler.runcall(main, ["run"])
        return status
    finally:
        profiler.dump_stats(out)


if __name__ == "__main__":
    sys.exit(run_profiled(sys.argv[1]))
