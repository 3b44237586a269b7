"""Resends: only what a policy allows, the first attempt outside tenacity, the rest through it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import pytest

from adapters.ppu_v3.errors import (
    ConnectionLostError,
    NotReachedError,
    PpuTransportError,
    ResponseTimeoutError,
)
from adapters.ppu_v3.resends import Resends, RetryPolicy
from adapters.ppu_v3.settings import ProviderSettings
from adapters.ppu_v3.transport import RawAnswer

Script = Sequence[RawAnswer | PpuTransportError]


def _rule(policy: RetryPolicy, *, lookups: int = 2, unreached: int = 3) -> Resends:
    """A policy of a provider that resends at once (no backoff)."""
    settings = ProviderSettings(
        provider_id="90001",
        name="Test",
        base_url="http://127.0.0.1:1",
        username="u",
        password="p",
        lookup_attempts=lookups,
        unreached_attempts=unreached,
        retry_backoff_seconds=0.0,
    )
    return Resends.of(settings, policy)


def _scripted(script: Script) -> tuple[Callable[[], Awaitable[RawAnswer]], list[int]]:
    """An attempt that plays the script in order, and the count of attempts made."""
    made = [0]

    async def attempt() -> RawAnswer:
        """The next scripted outcome."""
        outcome = script[made[0]]
        made[0] += 1
        if isinstance(outcome, PpuTransportError):
            raise outcome
        return outcome

    return attempt, made


async def _send(rule: Resends, script: Script) -> tuple[RawAnswer | PpuTransportError, int]:
    """What sending through the rule gives back (answer or error), and the attempts made."""
    attempt, made = _scripted(script)
    try:
        return await rule.send(attempt), made[0]
    except PpuTransportError as exc:
        return exc, made[0]


OK = RawAnswer(status=201, body=b"{}")
E500 = RawAnswer(status=500, body=b"")


async def test_a_first_answer_is_given_back_after_one_attempt() -> None:
    """The common case: one attempt, its answer."""
    assert await _send(_rule(RetryPolicy.LOOKUP), [OK]) == (OK, 1)


async def test_a_lookup_is_resent_after_a_500() -> None:
    """A 500 to a lookup is worth a second attempt."""
    assert await _send(_rule(RetryPolicy.LOOKUP), [E500, OK]) == (OK, 2)


async def test_the_last_lookup_answer_comes_back_when_attempts_run_out() -> None:
    """After the last attempt the last answer (here a 500) is given back, not an error."""
    assert await _send(_rule(RetryPolicy.LOOKUP), [E500, E500, OK]) == (E500, 2)


async def test_a_lookup_is_resent_after_a_lost_connection() -> None:
    """Lost and unreached lookups are resent; the last error is raised when attempts run out."""
    lost = ConnectionLostError("lost")
    assert await _send(_rule(RetryPolicy.LOOKUP), [lost, OK]) == (OK, 2)
    unreached = NotReachedError("refused")
    assert await _send(_rule(RetryPolicy.LOOKUP), [lost, unreached]) == (unreached, 2)


async def test_a_timeout_is_never_resent() -> None:
    """A timed-out request may have been done: the budget is spent, no resend."""
    timeout = ResponseTimeoutError("slow")
    assert await _send(_rule(RetryPolicy.LOOKUP), [timeout, OK]) == (timeout, 1)
    assert await _send(_rule(RetryPolicy.UNREACHED), [timeout, OK]) == (timeout, 1)


async def test_unreached_policy_resends_only_what_never_arrived() -> None:
    """Refused twice then answered: three attempts; a lost connection or a 500 is not resent."""
    refused = NotReachedError("refused")
    assert await _send(_rule(RetryPolicy.UNREACHED), [refused, refused, OK]) == (OK, 3)
    assert await _send(_rule(RetryPolicy.UNREACHED), [refused] * 4) == (refused, 3)
    lost = ConnectionLostError("lost")
    assert await _send(_rule(RetryPolicy.UNREACHED), [lost, OK]) == (lost, 1)
    assert await _send(_rule(RetryPolicy.UNREACHED), [E500, OK]) == (E500, 1)


async def test_a_new_purchase_is_never_resent() -> None:
    """Not even a refused connection: the caller fails over instead."""
    refused = NotReachedError("refused")
    assert await _send(_rule(RetryPolicy.NEVER), [refused, OK]) == (refused, 1)


@pytest.mark.parametrize("policy", list(RetryPolicy))
async def test_one_attempt_configured_means_no_resend(policy: RetryPolicy) -> None:
    """With a single attempt allowed, the first outcome is final whatever it is."""
    rule = _rule(policy, lookups=1, unreached=1)
    assert await _send(rule, [E500, OK]) == (E500, 1)
    refused = NotReachedError("refused")
    assert await _send(rule, [refused, OK]) == (refused, 1)
