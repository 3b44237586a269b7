"""Ledger gauges read from PostgreSQL when Prometheus scrapes: outbox backlog, purchases awaiting
recovery, advices pending. Each query uses a partial index, so a scrape stays cheap.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import asyncpg
import structlog
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

log = structlog.get_logger(__name__)

# Ages in seconds; 0 when nothing is waiting (the outbox's subquery returns no row then: NULL).
FIGURES_SQL = """
SELECT
  (SELECT count(*) FROM outbox WHERE published_at IS NULL) AS outbox_backlog,
  (SELECT extract(epoch FROM now() - created_at)::float8 FROM outbox
     WHERE published_at IS NULL ORDER BY id LIMIT 1) AS outbox_oldest_s,
  (SELECT count(*) FROM purchases WHERE state = 'UNKNOWN') AS awaiting_recovery,
  (SELECT coalesce(extract(epoch FROM now() - min(first_unknown_at)), 0)::float8 FROM purchases
     WHERE state = 'UNKNOWN') AS recovery_oldest_s,
  (SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 FROM advices
     WHERE state = 'PENDING') AS advice_oldest_s,
  (SELECT coalesce(max(attempts), 0) FROM advices WHERE state = 'PENDING') AS advice_max_attempts
"""

ADVICES_SQL = "SELECT kind, count(*) AS n FROM advices WHERE state = 'PENDING' GROUP BY kind"


@dataclass(frozen=True, slots=True, kw_only=True)
class LedgerFigures:
    """The ledger's backlogs now."""

    outbox_backlog: int = 0
    outbox_oldest_s: float = 0.0
    awaiting_recovery: int = 0
    recovery_oldest_s: float = 0.0
    advices_pending: tuple[tuple[str, int], ...] = ()
    advice_oldest_s: float = 0.0
    advice_max_attempts: int = 0


class LedgerReader:
    """Reads the figures over the switch's pool."""

    def __init__(self, pool: Any) -> None:
        self._pool = pool

    async def read(self) -> LedgerFigures:
        """Both queries on one pooled connection."""
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(FIGURES_SQL)
            kinds = await conn.fetch(ADVICES_SQL)
        return LedgerFigures(
            outbox_backlog=row["outbox_backlog"],
            outbox_oldest_s=row["outbox_oldest_s"] or 0.0,
            awaiting_recovery=row["awaiting_recovery"],
            recovery_oldest_s=row["recovery_oldest_s"],
            advices_pending=tuple((r["kind"].lower(), r["n"]) for r in kinds),
            advice_oldest_s=row["advice_oldest_s"],
            advice_max_attempts=row["advice_max_attempts"],
        )


def _gauge(name: str, doc: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, value=value)


class LedgerCollector(Collector):
    """The last figures read, and whether that read succeeded (a scrape never fails for it)."""

    def __init__(self, reader: LedgerReader, *, timeout_s: float = 2.0) -> None:
        self._reader = reader
        self._timeout_s = timeout_s
        self._figures = LedgerFigures()
        self._ok = False

    async def refresh(self) -> None:
        """Read the figures; on failure keep the last ones and report `ppu_ledger_read_ok 0`."""
        try:
            async with asyncio.timeout(self._timeout_s):
                self._figures = await self._reader.read()
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("ledger_figures_unavailable", error=type(exc).__name__)
            self._ok = False
        else:
            self._ok = True

    def collect(self) -> Iterable[Metric]:
        """The figures as gauges."""
        f = self._figures
        pending = GaugeMetricFamily(
            "ppu_advices_pending", "Advices not yet delivered, by kind", labels=["kind"]
        )
        counts = dict(f.advices_pending)
        for kind in ("confirmation", "reversal"):
            pending.add_metric([kind], counts.get(kind, 0))
        return [
            _gauge("ppu_ledger_read_ok", "1 when the last ledger read succeeded", int(self._ok)),
            _gauge("ppu_outbox_backlog", "Output events not yet published", f.outbox_backlog),
            _gauge(
                "ppu_outbox_oldest_age_seconds", "Age of the oldest unpublished", f.outbox_oldest_s
            ),
            _gauge(
                "ppu_purchases_awaiting_recovery",
                "Purchases whose outcome is unknown",
                f.awaiting_recovery,
            ),
            _gauge(
                "ppu_purchase_recovery_oldest_age_seconds",
                "How long the oldest unknown purchase has been unknown",
                f.recovery_oldest_s,
            ),
            pending,
            _gauge(
                "ppu_advice_oldest_pending_age_seconds",
                "Age of the oldest advice not yet delivered",
                f.advice_oldest_s,
            ),
            _gauge(
                "ppu_advice_pending_max_attempts",
                "Most delivery attempts of any advice still pending",
                f.advice_max_attempts,
            ),
        ]

    def describe(self) -> Iterable[Metric]:
        """Nothing up front: the names are fixed."""
        return []
