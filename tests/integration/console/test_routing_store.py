"""Stored routing preferences on a real PostgreSQL: the TOML file seeds them once, edits win,
and a switch instance's watcher reloads them when notified."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from adapters.postgres.routing_preferences import RoutingWatcher, load, save_utility, seed
from service.config import SwitchConfig
from service.ports.routing import StoredRouting, UtilityPreferences

pytestmark = pytest.mark.integration


def _config(ranked: list[str]) -> SwitchConfig:
    return SwitchConfig.model_validate(
        {
            "utilities": [{"id": "COJ", "name": "City of Johannesburg", "type": "ELECTRICITY"}],
            "providers": [
                {"id": p, "name": p, "base_url": "http://127.0.0.1:1", "username": "u"}
                for p in ("P1", "P2")
            ],
            "institutions": [
                {
                    "id": "INST",
                    "name": "Inst",
                    "enabled_providers": ["P1", "P2"],
                    "routing": {"COJ": {"ranked": ranked}},
                }
            ],
            "meter_preferences": [{"meter_number": "0412", "provider_id": "P1"}],
        }
    )


async def test_the_file_seeds_once_and_later_files_do_not_override_edits(
    database_url: str,
) -> None:
    """First start seeds; an edit is kept; a changed file at the next start changes nothing."""
    conn = await asyncpg.connect(database_url)
    try:
        assert await seed(conn, _config(["P2", "P1"])) == ["INST"]
        stored = (await load(conn))["INST"]
        assert stored.utilities["COJ"].ranked == ("P2", "P1")
        assert stored.meters == {"0412": "P1"}
        edit = UtilityPreferences(ranked=("P1",), excluded=frozenset({"P2"}))
        await save_utility(conn, "INST", "COJ", edit, "INST/alice")
        assert await seed(conn, _config(["P2"])) == []
        assert (await load(conn))["INST"].utilities["COJ"] == edit
    finally:
        await conn.close()


async def test_a_watcher_reloads_when_an_edit_is_announced(database_url: str) -> None:
    """The switch's watcher hands the new preferences to its directory after the NOTIFY."""
    seen: list[dict[str, StoredRouting]] = []
    applied = asyncio.Event()

    def apply(stored: dict[str, StoredRouting]) -> None:
        seen.append(stored)
        applied.set()

    watcher = RoutingWatcher(dsn=database_url, config=_config(["P2", "P1"]), apply=apply)
    await watcher.start()
    try:
        assert seen[-1]["INST"].utilities["COJ"].ranked == ("P2", "P1")
        applied.clear()
        conn: Any = await asyncpg.connect(database_url)
        try:
            edit = UtilityPreferences(ranked=("P1", "P2"))
            await save_utility(conn, "INST", "COJ", edit, "INST/alice")
        finally:
            await conn.close()
        await asyncio.wait_for(applied.wait(), timeout=5)
        assert seen[-1]["INST"].utilities["COJ"].ranked == ("P1", "P2")
    finally:
        await watcher.close()
