"""Editing routing preferences: validated against the institution's enabled providers,
stored in PostgreSQL with an audit entry (before and after) in one transaction, and
announced to every switch instance, which routes its next purchase with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
import structlog

from adapters.postgres.audit import PgAuditLog
from adapters.postgres.routing_preferences import load, save_meter, save_utility, seed
from service.config import Institution, SwitchConfig
from service.console.meters import normalised_or_none
from service.handlers.directory import Directory
from service.ports.routing import StoredRouting, UtilityPreferences

log = structlog.get_logger(__name__)
ACTION = "ROUTING_EDITED"


class RoutingRefused(ValueError):
    """The edit breaks a rule; the message says which, in words for the operator."""


@dataclass(frozen=True, kw_only=True)
class Edit:
    """Who edits, for which institution."""

    institution: Institution
    actor: str


def checked_utility(
    directory: Directory,
    edit: Edit,
    utility_id: str,
    ranked: Sequence[str],
    excluded: Sequence[str],
) -> UtilityPreferences:
    """The preferences if they are valid; RoutingRefused says why not."""
    if directory.utility(utility_id) is None:
        raise RoutingRefused(f"no utility {utility_id}")
    enabled = set(directory.enabled_providers(edit.institution))
    strangers = sorted((set(ranked) | set(excluded)) - enabled)
    if strangers:
        raise RoutingRefused(f"not a provider your institution enabled: {', '.join(strangers)}")
    if len(set(ranked)) != len(ranked):
        raise RoutingRefused("a provider is ranked twice")
    both = sorted(set(ranked) & set(excluded))
    if both:
        raise RoutingRefused(f"ranked and excluded at once: {', '.join(both)}")
    return UtilityPreferences(ranked=tuple(ranked), excluded=frozenset(excluded))


def _prefs_json(prefs: UtilityPreferences | None) -> dict[str, Any]:
    if prefs is None:
        return {"ranked": [], "excluded": []}
    return {"ranked": list(prefs.ranked), "excluded": sorted(prefs.excluded)}


class RoutingEditor:
    """Reads and edits one institution's stored preferences."""

    def __init__(self, pool: asyncpg.Pool, config: SwitchConfig, directory: Directory) -> None:
        self._pool = pool
        self._config = config
        self._dir = directory

    async def seed(self) -> None:
        """Copy the file's preferences for institutions never seeded (the switch does too)."""
        try:
            async with self._pool.acquire() as conn:
                await seed(conn, self._config)
        except asyncpg.UndefinedTableError:
            # Started before the switch migrated the database: the switch seeds at its start.
            log.info("routing_seed_left_to_the_switch")

    async def current(self, institution: Institution) -> StoredRouting:
        """The institution's stored preferences (empty if not seeded yet)."""
        async with self._pool.acquire() as conn:
            return (await load(conn)).get(institution.id, StoredRouting())

    async def set_utility(
        self, edit: Edit, utility_id: str, ranked: Sequence[str], excluded: Sequence[str]
    ) -> None:
        """Validate, store, audit and announce one utility's ranking and exclusions."""
        prefs = checked_utility(self._dir, edit, utility_id, ranked, excluded)
        inst = edit.institution.id
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext('ppu_routing' || $1))", inst)
            before = (await load(conn)).get(inst, StoredRouting()).utilities.get(utility_id)
            await save_utility(conn, inst, utility_id, prefs, edit.actor)
            await PgAuditLog(conn).record(
                actor=edit.actor,
                institution_id=inst,
                action=ACTION,
                subject=f"routing/{utility_id}",
                details={
                    "utility_id": utility_id,
                    "before": _prefs_json(before),
                    "after": _prefs_json(prefs),
                    "summary": f"{utility_id}: ranked {list(prefs.ranked) or 'none'}, "
                    f"excluded {sorted(prefs.excluded) or 'none'}",
                },
            )

    async def set_meter(self, edit: Edit, raw_meter: str, provider_id: str | None) -> str:
        """Add, change or (provider None) remove a meter-level preference; the meter number."""
        meter = normalised_or_none(raw_meter)
        if meter is None:
            raise RoutingRefused("the meter number is empty")
        if provider_id is not None and provider_id not in self._dir.enabled_providers(
            edit.institution
        ):
            raise RoutingRefused(f"not a provider your institution enabled: {provider_id}")
        inst = edit.institution.id
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext('ppu_routing' || $1))", inst)
            before = (await load(conn)).get(inst, StoredRouting()).meters.get(meter)
            await save_meter(conn, inst, meter, provider_id, edit.actor)
            await PgAuditLog(conn).record(
                actor=edit.actor,
                institution_id=inst,
                action=ACTION,
                subject=meter,
                details={
                    "meter_number": meter,
                    "before": {"provider_id": before},
                    "after": {"provider_id": provider_id},
                    "summary": f"meter {meter}: {before or 'no preference'} → "
                    f"{provider_id or 'no preference'}",
                },
            )
        return meter
