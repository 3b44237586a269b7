"""Sign-in throttling per typed (institution, username) and per client address.

Each attempt is written before its password is checked, so parallel guesses count against
each other at once; a success removes the user's rows. An attempt over a limit is refused
without a password check and its row removed again, so waiting is what lifts the throttle.
Unknown and known users are throttled alike: the answer never tells whether a user exists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import asyncpg

_RECORD = "INSERT INTO console_sign_in_attempts (subject) VALUES ($1), ($2) RETURNING id"
# For each subject: attempts in the window up to this one (parallel attempts are ordered by
# id, so exactly the first `limit` pass), and when the limit-th newest one leaves the window.
_COUNT = """
SELECT count(*) AS n,
       extract(epoch FROM (
           (array_agg(at ORDER BY at DESC))[$3] + make_interval(secs => $2) - now()
       )) AS wait_s
FROM console_sign_in_attempts
WHERE subject = $1 AND at > now() - make_interval(secs => $2) AND id <= $4
"""
_EXPIRE = """
DELETE FROM console_sign_in_attempts
WHERE subject = ANY($1::text[]) AND at <= now() - make_interval(secs => $2)
"""
_FORGET = "DELETE FROM console_sign_in_attempts WHERE id = ANY($1::bigint[])"
_CLEAR = "DELETE FROM console_sign_in_attempts WHERE subject = $1"


@dataclass(frozen=True, kw_only=True)
class Attempt:
    """One sign-in attempt: its rows, and how long to wait when it is throttled."""

    ids: tuple[int, ...]
    user_subject: str
    retry_after_s: float | None

    @property
    def throttled(self) -> bool:
        """Whether the attempt must be refused without checking the password."""
        return self.retry_after_s is not None

    @property
    def minutes(self) -> int:
        """The wait in whole minutes, rounded up (at least 1)."""
        return max(1, math.ceil((self.retry_after_s or 0) / 60))


class SignInThrottle:
    """Counts attempts in a sliding window; limits per user and per address."""

    def __init__(
        self, pool: asyncpg.Pool, *, window_s: int, per_user: int, per_address: int
    ) -> None:
        self._pool = pool
        self._window_s = float(window_s)
        self._limits = (per_user, per_address)

    async def begin(self, institution_id: str, username: str, address: str) -> Attempt:
        """Record an attempt and tell whether it may check a password."""
        user = f"user:{institution_id}/{username}"[:300]
        subjects = (user, f"addr:{address}")
        async with self._pool.acquire() as conn:
            await conn.execute(_EXPIRE, list(subjects), self._window_s)
            ids = tuple(r["id"] for r in await conn.fetch(_RECORD, *subjects))
            waits = []
            for subject, limit, mine in zip(subjects, self._limits, ids, strict=True):
                row: Any = await conn.fetchrow(_COUNT, subject, self._window_s, limit + 1, mine)
                if row["n"] > limit:
                    waits.append(max(1.0, float(row["wait_s"] or self._window_s)))
            if waits:
                await conn.execute(_FORGET, list(ids))
        return Attempt(ids=ids, user_subject=user, retry_after_s=max(waits) if waits else None)

    async def succeeded(self, attempt: Attempt) -> None:
        """A right password: the user's failures no longer count (the address's still do)."""
        async with self._pool.acquire() as conn:
            await conn.execute(_CLEAR, attempt.user_subject)
            await conn.execute(_FORGET, list(attempt.ids))
