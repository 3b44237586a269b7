"""The outage gate: while a dependency is down, intake pauses and failed records wait here.

An outage is not a bad record (rule 19). A record whose handler failed because PostgreSQL (or
another dependency) was unreachable waits at the gate and is tried again once a probe answers,
without counting the attempt; the runner pauses fetching while the gate is closed and `/readyz`
reports it. One prober per instance, with capped backoff, so a long outage costs one probe
every few seconds, not a retry storm from every waiting record.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import structlog

log = structlog.get_logger(__name__)

Probe = Callable[[], Awaitable[bool]]
"""Whether the dependencies answer now; must not raise."""


async def always_up() -> bool:
    """The probe of a composition with nothing to probe."""
    return True


class OutageGate:
    """Open while dependencies answer; closed from a failed probe until a probe succeeds."""

    def __init__(
        self,
        probe: Probe,
        *,
        first_delay_s: float = 0.5,
        max_delay_s: float = 5.0,
        trust_s: float = 1.0,
    ):
        self._probe = probe
        self._trust_s = trust_s
        self._answered_at: float | None = None
        self._first = first_delay_s
        self._cap = max_delay_s
        self._open = asyncio.Event()
        self._open.set()
        self._prober: asyncio.Task[None] | None = None
        self._since: float | None = None
        self.reason: str | None = None
        self.outages = 0

    @property
    def closed(self) -> bool:
        """Whether an outage is going on."""
        return not self._open.is_set()

    def closed_for_s(self, now: float) -> float:
        """How long the current outage has lasted (0 when there is none)."""
        return 0.0 if self._since is None else now - self._since

    async def answers(self) -> bool:
        """Probe now; a failed probe closes the gate. False while an outage is going on."""
        if self.closed:
            return False
        now = time.monotonic()
        if self._answered_at is not None and now - self._answered_at < self._trust_s:
            # A burst of failures costs one probe a second, not one connection per failure.
            return True
        if await self._safe_probe():
            self._answered_at = now
            return True
        self.close("a dependency did not answer its probe")
        return False

    def close(self, reason: str) -> None:
        """Start an outage (a no-op during one); a prober reopens the gate when it ends."""
        if self.closed:
            return
        self._open.clear()
        self._answered_at = None
        self._since = time.monotonic()
        self.reason = reason
        self.outages += 1
        log.warning("outage_started", reason=reason)
        self._prober = asyncio.create_task(self._probe_until_up(), name="outage-prober")

    async def wait(self) -> None:
        """Return once the gate is open."""
        await self._open.wait()

    async def aclose(self) -> None:
        """Stop probing (at shutdown)."""
        if self._prober is not None:
            self._prober.cancel()
            await asyncio.gather(self._prober, return_exceptions=True)

    async def _probe_until_up(self) -> None:
        delay = self._first
        while True:
            await asyncio.sleep(delay)
            if await self._safe_probe():
                break
            delay = min(self._cap, delay * 2)
        lasted = self.closed_for_s(time.monotonic())
        self._since = None
        self.reason = None
        self._open.set()
        log.warning("outage_ended", lasted_s=round(lasted, 2))

    async def _safe_probe(self) -> bool:
        try:
            return await self._probe()
        except Exception:  # a probe that raises has not seen its dependency answer
            return False
