"""The ledger collector when PostgreSQL cannot be read (no services needed)."""

from __future__ import annotations

from service.observability.ledger import LedgerCollector, LedgerReader


async def test_an_unreachable_database_keeps_the_last_figures_and_says_so() -> None:
    """A failed read never fails the scrape: the gauges stay, ppu_ledger_read_ok drops to 0."""

    class Down:
        """A pool whose connections cannot be had."""

        def acquire(self) -> object:
            """Fail as an unreachable server does."""
            raise OSError("connection refused")

    collector = LedgerCollector(LedgerReader(Down()))
    await collector.refresh()
    names = {m.name: m for m in collector.collect()}
    assert names["ppu_ledger_read_ok"].samples[0].value == 0
    assert names["ppu_outbox_backlog"].samples[0].value == 0
