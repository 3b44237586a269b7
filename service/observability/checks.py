"""Readiness checks: Kafka and PostgreSQL reachable, partitions owned, consumer not stuck."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
from aiokafka.errors import KafkaError

from service.observability.source import RunnerView


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check's verdict, with a short reason a person can act on (never a secret)."""

    name: str
    ok: bool
    detail: str


Check = Callable[[], Awaitable[CheckResult]]


def kafka_check(producer: Any, *, timeout_s: float) -> Check:
    """A metadata round trip on the metrics producer's connection."""

    async def check() -> CheckResult:
        """Ask any broker for the cluster's metadata."""
        try:
            async with asyncio.timeout(timeout_s):
                await producer.client.fetch_all_metadata()
        except (KafkaError, TimeoutError, OSError) as exc:
            return CheckResult("kafka", False, f"no metadata answer ({type(exc).__name__})")
        return CheckResult("kafka", True, "metadata answered")

    return check


def postgres_check(dsn: str, *, timeout_s: float) -> Check:
    """A fresh connection and `SELECT 1`; the DSN holds a password, so it is never reported."""

    async def check() -> CheckResult:
        """Connect, ask, disconnect."""
        try:
            async with asyncio.timeout(timeout_s):
                conn = await asyncpg.connect(dsn, timeout=timeout_s)
                try:
                    await conn.fetchval("SELECT 1")
                finally:
                    await conn.close(timeout=timeout_s)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            return CheckResult("postgres", False, f"no answer ({type(exc).__name__})")
        return CheckResult("postgres", True, "SELECT 1 answered")

    return check


def consumer_check(runner: RunnerView) -> Check:
    """Partitions are assigned and the runner's liveness does not look stuck."""

    async def check() -> CheckResult:
        """Read the runner's liveness and assignment."""
        now = time.monotonic()
        if runner.gate.closed:
            lasted = round(runner.gate.closed_for_s(now))
            return CheckResult(
                "consumer", False, f"paused for an outage ({lasted} s): {runner.gate.reason}"
            )
        if runner.liveness.is_stuck(now):
            return CheckResult("consumer", False, "stuck: no poll or no successful commit")
        if not runner.assignment:
            return CheckResult("consumer", False, "no partitions assigned")
        return CheckResult("consumer", True, f"{len(runner.assignment)} partitions assigned")

    return check


async def run_checks(checks: list[Check]) -> list[CheckResult]:
    """Every check at once; a check that raises counts as failed."""
    results = await asyncio.gather(*(c() for c in checks), return_exceptions=True)
    return [
        r if isinstance(r, CheckResult) else CheckResult("check", False, type(r).__name__)
        for r in results
    ]
