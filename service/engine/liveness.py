"""Liveness: when the consumer last polled, committed and finished work, and whether it looks stuck.

After a broker restart an aiokafka consumer can keep polling and get nothing back, forever,
while its coordinator is gone. Polls alone do not show that, so the runner also commits
its (possibly unchanged) positions periodically: a consumer whose polls stall, or whose
commits have failed for longer than `stuck_after_s`, is stuck and should be restarted.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True, kw_only=True)
class Liveness:
    """Timestamps (monotonic seconds) of the runner's progress."""

    stuck_after_s: float
    started_at: float
    last_poll_at: float | None = None
    last_commit_at: float | None = None
    last_commit_error_at: float | None = None
    commit_errors: int = field(default=0)

    def polled(self, now: float) -> None:
        """A fetch returned (with or without records)."""
        self.last_poll_at = now

    def committed(self, now: float) -> None:
        """A commit succeeded: the group coordinator answers."""
        self.last_commit_at = now
        self.commit_errors = 0

    def commit_failed(self, now: float) -> None:
        """A commit failed; a run of these means the coordinator is gone."""
        self.last_commit_error_at = now
        self.commit_errors += 1

    def is_stuck(self, now: float) -> bool:
        """True when polls stopped, or commits have failed with no success for too long."""
        last_poll = self.last_poll_at if self.last_poll_at is not None else self.started_at
        if now - last_poll > self.stuck_after_s:
            return True
        if self.commit_errors == 0:
            return False
        last_ok = self.last_commit_at if self.last_commit_at is not None else self.started_at
        return now - last_ok > self.stuck_after_s
