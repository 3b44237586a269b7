"""Routing changes in the configuration file land in the audit log at start."""

from __future__ import annotations

import asyncpg
import pytest
from pydantic import SecretStr

from service.bootstrap import audit_routing
from service.config import SwitchConfig, UtilityRouting, load_config
from service.settings import DEFAULT_CONFIG_FILE, Settings

pytestmark = pytest.mark.integration


def _with_exclusion(config: SwitchConfig) -> SwitchConfig:
    first = config.institutions[0]
    routing = {**first.routing, "ESKOM": UtilityRouting(excluded=("90003",))}
    changed = first.model_copy(update={"routing": routing})
    return config.model_copy(update={"institutions": (changed, *config.institutions[1:])})


async def test_each_routing_change_is_recorded_once(database_url: str) -> None:
    """First start records the routing; an unchanged restart nothing; an edit names itself."""
    settings = Settings(database_url=SecretStr(database_url))
    config = load_config(DEFAULT_CONFIG_FILE)
    assert await audit_routing(settings, config) == ["initial routing configuration"]
    assert await audit_routing(settings, config) == []
    edited = _with_exclusion(config)
    institution = config.institutions[0].id
    assert await audit_routing(settings, edited) == [f"institutions.{institution}.routing.ESKOM"]
    conn = await asyncpg.connect(database_url)
    try:
        rows = await conn.fetch("SELECT action, actor FROM audit_log ORDER BY id")
    finally:
        await conn.close()
    assert [r["action"] for r in rows] == ["ROUTING_CONFIG", "ROUTING_CONFIG"]
    assert rows[0]["actor"] == "config:switch.toml"
