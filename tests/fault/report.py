"""Per-scenario figures: the judge's findings, recovery after each fault, and the closing line."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from service.topics import Topic
from tests.fault.expect import OUTCOME_TOPICS, Findings, Want, decision
from tests.fault.scene import Scene


@dataclass
class Result:
    """What one scenario found."""

    name: str
    findings: Findings = field(default_factory=Findings)
    recovery_s: float | None = 0.0  # None: no outcome at all after a fault ended
    drain_s: float = 0.0
    restarts: int = 0
    requests: int = 0
    seconds: float = 0.0
    error: str | None = None
    came: Counter[str] = field(default_factory=Counter)  # what came back, by decision

    @property
    def clean(self) -> bool:
        """Ran, and found nothing wrong."""
        f = self.findings
        counts = (f.missing_count, f.conflicting_count, len(f.vends))
        return self.error is None and counts == (0, 0, 0) and self.recovery_s is not None

    def lines(self, limit: int = 25) -> list[str]:
        """Its figures, then each problem (the first `limit` of each kind)."""
        f = self.findings
        rec = "never" if self.recovery_s is None else f"{self.recovery_s:.1f}s"
        head = (
            f"{self.name}: {'ok' if self.clean else 'FAILED'} requests={self.requests}"
            f" outcomes_missing={f.missing_count} conflicting_outcomes={f.conflicting_count}"
            f" double_vends={len(f.vends)} recovery={rec} drain={self.drain_s:.1f}s"
            f" restarts={self.restarts} took={self.seconds:.0f}s"
        )
        out = [head] + ([f"  did not run to the end: {self.error}"] if self.error else [])
        out.append("  came: " + ", ".join(f"{k}={n}" for k, n in sorted(self.came.items())))
        out += [f"  {n:5d} x {kind}" for kind, n in sorted(f.breakdown.items())]
        for kind, items in (
            ("missing", f.missing),
            ("conflicting", f.conflicting),
            ("double vend", f.vends),
        ):
            out += [f"  {kind}: {item}" for item in items[:limit]]
            if len(items) > limit:
                out.append(f"  ... and {len(items) - limit} more {kind}")
        return out


def came_back(sc: Scene) -> Counter[str]:
    """Outcomes by decision (distinct event ids), and dead letters by error type."""
    kinds: dict[str, str] = {}
    for seen in sc.collector.records:
        event_id = str(seen.event.get("event_id"))
        if seen.topic.endswith(OUTCOME_TOPICS):
            kinds[event_id] = decision(seen.event)
        elif seen.topic.endswith(Topic.DEAD_LETTER.value):
            kinds[event_id] = f"DEAD_LETTER/{seen.event.get('error_type')}"
    return Counter(kinds.values())


def recovery_s(sc: Scene) -> float | None:
    """Worst, over the scene's faults, seconds from a fault's end to the first outcome after it.

    A fault that left nothing unanswered at its end counts 0; None when some fault was followed
    by no outcome at all (the drain then shows what is missing).
    """
    first: dict[str, int] = {}
    stamps = []
    for seen in sc.collector.records:
        if seen.topic.endswith(OUTCOME_TOPICS):
            rid = str(seen.event.get("lookup_id") or seen.event.get("purchase_id"))
            first[rid] = min(first.get(rid, seen.timestamp_ms), seen.timestamp_ms)
            stamps.append(seen.timestamp_ms)
    worst = 0.0
    for _, _, end in sc.windows:
        pending = [
            s
            for s in sc.sent
            if s.sent_ms < end
            and s.request.want in (Want.ANSWER, Want.INVALID)
            and first.get(s.request.rid or "", end + 1) > end
        ]
        if not pending:
            continue
        after = [t for t in stamps if t > end]
        if not after:
            return None
        worst = max(worst, (min(after) - end) / 1000)
    return worst
