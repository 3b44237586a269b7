"""The audit log on PostgreSQL: routing changes and rebroadcast marks, never deleted."""

from __future__ import annotations

import json
from typing import Any

from adapters.postgres.connection import Connection


class PgAuditLog:
    """Writes `audit_log` rows on one connection (inside the caller's transaction)."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    async def record(
        self,
        *,
        actor: str,
        action: str,
        subject: str,
        institution_id: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Append one entry."""
        await self._conn.execute(
            "INSERT INTO audit_log (actor, institution_id, action, subject, details)"
            " VALUES ($1, $2, $3, $4, $5::jsonb)",
            actor,
            institution_id,
            action,
            subject,
            json.dumps(details or {}, sort_keys=True),
        )

    async def latest(self, action: str) -> dict[str, Any] | None:
        """The details of the newest entry for `action`, if any."""
        raw = await self._conn.fetchval(
            "SELECT details FROM audit_log WHERE action = $1 ORDER BY id DESC LIMIT 1", action
        )
        return None if raw is None else dict(json.loads(raw))
