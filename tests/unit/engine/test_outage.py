"""The outage gate: one prober, capped backoff, and a probe answer trusted for a moment."""

from __future__ import annotations

from service.engine.outage import OutageGate


class _Counted:
    """A dependency that answers, counting the probes."""

    def __init__(self, *, up: bool = True) -> None:
        self.up = up
        self.probes = 0

    async def answers(self) -> bool:
        """Whether it answers now."""
        self.probes += 1
        return self.up


async def test_a_burst_of_failures_costs_one_probe() -> None:
    """While a probe answered a moment ago, no new connection is opened to ask again."""
    dependency = _Counted()
    gate = OutageGate(dependency.answers, trust_s=60)
    assert all([await gate.answers() for _ in range(50)])
    assert dependency.probes == 1


async def test_a_failed_probe_closes_the_gate_until_a_probe_answers() -> None:
    """The gate closes on a failed probe and reopens by itself once the dependency is back."""
    dependency = _Counted(up=False)
    gate = OutageGate(dependency.answers, first_delay_s=0.001, max_delay_s=0.002)
    assert not await gate.answers()
    assert gate.closed
    dependency.up = True
    await gate.wait()
    assert not gate.closed
    assert gate.outages == 1
    await gate.aclose()
