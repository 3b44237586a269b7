"""What a workload cost a process: CPU seconds (user + system) and peak resident memory."""

from __future__ import annotations

import asyncio
import contextlib
import math
from dataclasses import dataclass

import psutil

MB = 1024 * 1024


@dataclass(frozen=True)
class Cost:
    """CPU seconds spent (of which in the kernel) and the largest RSS seen during one workload."""

    cpu_s: float
    system_cpu_s: float
    peak_rss_mb: float

    @classmethod
    def total(cls, costs: list[Cost]) -> Cost:
        """Several processes as one: CPU added up, and the sum of their peaks (an upper bound)."""
        return cls(
            cpu_s=sum(c.cpu_s for c in costs),
            system_cpu_s=sum(c.system_cpu_s for c in costs),
            peak_rss_mb=sum(c.peak_rss_mb for c in costs),
        )


class ResourceProbe:
    """Samples one process's RSS every `interval_s` between `start` and `stop`."""

    def __init__(self, pid: int, *, interval_s: float = 0.1) -> None:
        self._proc = psutil.Process(pid)
        self._interval_s = interval_s
        self._cpu_at_start = (0.0, 0.0)
        self._peak_rss = 0
        self._task: asyncio.Task[None] | None = None

    def _cpu(self) -> tuple[float, float]:
        """(user + system, system) seconds so far."""
        times = self._proc.cpu_times()
        return float(times.user + times.system), float(times.system)

    def _sample(self) -> None:
        self._peak_rss = max(self._peak_rss, self._proc.memory_info().rss)

    async def _sampler(self) -> None:
        # A process that exited is reported by the caller (its log tail); sampling just ends.
        with contextlib.suppress(psutil.NoSuchProcess):
            while True:
                self._sample()
                await asyncio.sleep(self._interval_s)

    def start(self) -> None:
        """Take the CPU reading at the start of the workload and begin sampling RSS."""
        self._cpu_at_start = self._cpu()
        self._peak_rss = 0
        self._task = asyncio.create_task(self._sampler())

    async def stop(self) -> Cost:
        """Stop sampling; the CPU spent since `start` and the peak RSS."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        try:
            self._sample()
            (total, system), (total_0, system_0) = self._cpu(), self._cpu_at_start
        except psutil.NoSuchProcess:  # it died mid-run: the caller reports that, not a cost
            return Cost(cpu_s=math.nan, system_cpu_s=math.nan, peak_rss_mb=self._peak_rss / MB)
        return Cost(
            cpu_s=total - total_0, system_cpu_s=system - system_0, peak_rss_mb=self._peak_rss / MB
        )
