"""Routing preferences in PostgreSQL: seeded once per institution from the TOML file, edited
by the console (each edit NOTIFYs `ppu_routing` in its transaction), and watched by every
switch instance, which reloads them into its Directory before its next purchase.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import asyncpg
import structlog

from service.config import SwitchConfig
from service.ports.routing import StoredRouting, UtilityPreferences

log = structlog.get_logger(__name__)
CHANNEL = "ppu_routing"
_RELOAD_EVERY_S = 30.0  # a backstop: a notification lost with a dropped connection
_SEEDED = "SELECT institution_id FROM routing_seeded"
_SEED_MARK = "INSERT INTO routing_seeded (institution_id) VALUES ($1) ON CONFLICT DO NOTHING"
_SEED_UTILITY = """
INSERT INTO routing_preferences (institution_id, utility_id, ranked, excluded, updated_by)
VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING
"""
_SEED_METER = """
INSERT INTO routing_meter_preferences (institution_id, meter_number, provider_id, updated_by)
VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING
"""
_UTILITIES = "SELECT institution_id, utility_id, ranked, excluded FROM routing_preferences"
_METERS = "SELECT institution_id, meter_number, provider_id FROM routing_meter_preferences"
_SAVE_UTILITY = """
INSERT INTO routing_preferences (institution_id, utility_id, ranked, excluded, updated_by)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (institution_id, utility_id) DO UPDATE SET ranked = EXCLUDED.ranked,
    excluded = EXCLUDED.excluded, updated_by = EXCLUDED.updated_by, updated_at = now()
"""
_SAVE_METER = """
INSERT INTO routing_meter_preferences (institution_id, meter_number, provider_id, updated_by)
VALUES ($1, $2, $3, $4)
ON CONFLICT (institution_id, meter_number) DO UPDATE SET provider_id = EXCLUDED.provider_id,
    updated_by = EXCLUDED.updated_by, updated_at = now()
"""
_REMOVE_METER = (
    "DELETE FROM routing_meter_preferences WHERE institution_id = $1 AND meter_number = $2"
)


async def seed(conn: Any, config: SwitchConfig) -> list[str]:
    """Write the file's preferences for institutions never seeded; the ids seeded."""
    seeded: list[str] = []
    async with conn.transaction():
        done = {r["institution_id"] for r in await conn.fetch(_SEEDED)}
        for inst in config.institutions:
            if inst.id in done:
                continue
            actor = "config:seed"
            for utility_id, r in inst.routing.items():
                await conn.execute(
                    _SEED_UTILITY, inst.id, utility_id, list(r.ranked), list(r.excluded), actor
                )
            for pref in config.meter_preferences:
                await conn.execute(_SEED_METER, inst.id, pref.meter_number, pref.provider_id, actor)
            await conn.execute(_SEED_MARK, inst.id)
            seeded.append(inst.id)
    return seeded


async def load(conn: Any) -> dict[str, StoredRouting]:
    """Every seeded institution's stored preferences."""
    ids = [r["institution_id"] for r in await conn.fetch(_SEEDED)]
    utilities: dict[str, dict[str, UtilityPreferences]] = {i: {} for i in ids}
    meters: dict[str, dict[str, str]] = {i: {} for i in ids}
    for r in await conn.fetch(_UTILITIES):
        if r["institution_id"] in utilities:
            utilities[r["institution_id"]][r["utility_id"]] = UtilityPreferences(
                ranked=tuple(r["ranked"]), excluded=frozenset(r["excluded"])
            )
    for r in await conn.fetch(_METERS):
        if r["institution_id"] in meters:
            meters[r["institution_id"]][r["meter_number"]] = r["provider_id"]
    return {i: StoredRouting(utilities=utilities[i], meters=meters[i]) for i in ids}


async def save_utility(
    conn: Any, institution_id: str, utility_id: str, prefs: UtilityPreferences, actor: str
) -> None:
    """Store one utility's preferences and tell every switch instance."""
    await conn.execute(
        _SAVE_UTILITY, institution_id, utility_id, list(prefs.ranked), sorted(prefs.excluded), actor
    )
    await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, institution_id)


async def save_meter(
    conn: Any, institution_id: str, meter_number: str, provider_id: str | None, actor: str
) -> None:
    """Set (or, with no provider, remove) a meter-level preference and tell the switch."""
    if provider_id is None:
        await conn.execute(_REMOVE_METER, institution_id, meter_number)
    else:
        await conn.execute(_SAVE_METER, institution_id, meter_number, provider_id, actor)
    await conn.execute("SELECT pg_notify($1, $2)", CHANNEL, institution_id)


class RoutingWatcher:
    """Keeps one switch instance's routing preferences current from PostgreSQL."""

    def __init__(
        self, *, dsn: str, config: SwitchConfig, apply: Callable[[dict[str, StoredRouting]], None]
    ) -> None:
        self._dsn = dsn
        self._config = config
        self._apply = apply
        self._conn: Any = None
        self._task: asyncio.Task[None] | None = None
        self._reloads: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Seed, load, listen: the first purchase already routes with the stored values."""
        self._conn = await asyncpg.connect(self._dsn)
        seeded = await seed(self._conn, self._config)
        if seeded:
            log.info("routing_preferences_seeded", institutions=seeded)
        await self._conn.add_listener(CHANNEL, self._notified)
        await self.reload()
        self._task = asyncio.create_task(self._backstop(), name="routing-preferences")

    async def reload(self) -> None:
        """Read every institution's preferences and hand them to the directory."""
        self._apply(await load(self._conn))

    def _notified(self, *_: object) -> None:
        task = asyncio.get_running_loop().create_task(self._reload_logged())
        self._reloads.add(task)  # held until done, so it is not collected mid-flight
        task.add_done_callback(self._reloads.discard)

    async def _reload_logged(self) -> None:
        try:
            await self.reload()
            log.info("routing_preferences_reloaded")
        except (asyncpg.PostgresError, OSError, asyncpg.InterfaceError) as exc:
            log.warning("routing_preferences_reload_failed", error=type(exc).__name__)

    async def _backstop(self) -> None:
        while True:
            await asyncio.sleep(_RELOAD_EVERY_S)
            await self._reload_logged()

    async def close(self) -> None:
        """Stop watching."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._conn is not None:
            await self._conn.close()
