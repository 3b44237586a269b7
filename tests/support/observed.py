"""A running switch with the SRE signals (metrics, health server) and the operator console.

async with observed_switch(kafka_bootstrap=..., database_url=..., prefix=...,
                           providers=[sim_provider("P1", ...)]) as ob:
    ob.sw                 # the RunningSwitch of tests/support/switch.py
    ob.console_url        # the console, signed in with CONSOLE_USERS
    ob.observed.health_url
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import aiohttp
import asyncpg
from pydantic import SecretStr

from adapters.ppu_v3.simulator.config import SimProviderConfig
from service.config import SwitchConfig
from service.console.passwords import hash_password
from service.console.server import running_console
from service.console.settings import ConsoleSettings
from service.observability.observatory import Observatory
from service.observability.settings import HealthSettings, MetricsSettings
from service.observability.wiring import Observed, observe
from service.settings import Settings
from tests.support.switch import RunningSwitch, running_switch, switch_config

PASSWORD = "correct horse battery staple"
# (institution, username): INST enables every provider, OTHER only the first one.
ALICE = ("INST", "alice")
MALLORY = ("OTHER", "mallory")
# INST's other operators, for tests that change a password or lock a user out.
SPARE_USERS = ("bob", "carol", "dave")


@cache
def password_hash() -> str:
    """One scrypt hash for every test user (hashing is deliberately slow)."""
    return hash_password(PASSWORD)


def institutions(provider_ids: Sequence[str]) -> list[dict[str, Any]]:
    """INST (all providers) and OTHER (the first only), each with a console user."""
    users = {
        inst: [{"username": user, "password_hash": password_hash()}]
        for inst, user in (ALICE, MALLORY)
    }
    users["INST"] += [{"username": u, "password_hash": password_hash()} for u in SPARE_USERS]
    return [
        {
            "id": "INST",
            "name": "Test Institution",
            "enabled_providers": list(provider_ids),
            "console_users": users["INST"],
            "routing": {"COJ": {"ranked": list(reversed(provider_ids))}},
        },
        {
            "id": "OTHER",
            "name": "Other Institution",
            "enabled_providers": list(provider_ids[:1]),
            "console_users": users["OTHER"],
        },
    ]


@dataclass(frozen=True, kw_only=True)
class ObservedSwitch:
    """The switch, its observability and its console."""

    sw: RunningSwitch
    config: SwitchConfig
    observatory: Observatory
    observed: Observed
    console_url: str
    database_url: str

    async def console_knows(self, institution_id: str, meter_number: str) -> None:
        """Wait until the console's read model has the institution's sight of the meter."""
        conn = await asyncpg.connect(self.database_url)
        try:

            async def seen() -> bool:
                return bool(
                    await conn.fetchval(
                        "SELECT 1 FROM console_meter_sightings"
                        " WHERE institution_id = $1 AND meter_number = $2",
                        institution_id,
                        meter_number,
                    )
                )

            await until(seen, within_s=15.0)
        finally:
            await conn.close()


def _settings(kafka_bootstrap: str, database_url: str, prefix: str) -> Settings:
    return Settings(
        kafka_bootstrap=kafka_bootstrap, database_url=SecretStr(database_url), topic_prefix=prefix
    )


def _observing(
    sw: RunningSwitch, observatory: Observatory, database_url: str, interval_s: float
) -> AbstractAsyncContextManager[Observed]:
    return observe(
        sw.app,
        _settings(sw.bootstrap, database_url, sw.prefix),
        observatory=observatory,
        metrics=MetricsSettings(interval_s=interval_s, instance_id=f"{sw.prefix}switch"),
        health=HealthSettings(port=0, probe_timeout_s=1.0),
    )


@asynccontextmanager
async def observed_switch(
    *,
    kafka_bootstrap: str,
    database_url: str,
    prefix: str,
    providers: Sequence[SimProviderConfig],
    health_database_url: str | None = None,
    metrics_interval_s: float = 0.5,
    console: ConsoleSettings | None = None,
) -> AsyncIterator[ObservedSwitch]:
    """running_switch with wrapped providers, `observe` and the console on free ports."""
    observatory = Observatory(window_s=300)
    overrides: dict[str, Any] = {"institutions": institutions([p.provider_id for p in providers])}
    switch: AbstractAsyncContextManager[RunningSwitch] = running_switch(
        kafka_bootstrap=kafka_bootstrap,
        database_url=database_url,
        prefix=prefix,
        providers=providers,
        config_overrides=overrides,
        observatory=observatory,
    )
    async with switch as sw:
        config = switch_config(list(sw.sims.values()), **overrides)
        health_db = health_database_url or database_url
        async with (
            _observing(sw, observatory, health_db, metrics_interval_s) as observed,
            running_console(
                _settings(kafka_bootstrap, database_url, prefix),
                console or ConsoleSettings(port=0, mark_wait_s=5.0, metrics_window_s=600),
                config,
            ) as console_url,
        ):
            yield ObservedSwitch(
                sw=sw,
                config=config,
                observatory=observatory,
                observed=observed,
                console_url=console_url,
                database_url=database_url,
            )


async def until(check: Callable[[], Awaitable[Any]], *, within_s: float = 30.0) -> Any:
    """Poll an async check until it returns something truthy; fail after `within_s`."""
    async with asyncio.timeout(within_s):
        while not (result := await check()):  # noqa: ASYNC110 - polls another server
            await asyncio.sleep(0.2)
    return result


def new_client() -> aiohttp.ClientSession:
    """An HTTP client that keeps cookies of 127.0.0.1 (the console's test address)."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def sign_in(
    http: aiohttp.ClientSession, base: str, who: tuple[str, str] = ALICE, password: str = PASSWORD
) -> str:
    """Sign in through the form, as a browser does; returns the session's CSRF token."""
    async with http.get(f"{base}/login") as form:
        found = re.search(r'name="csrf_token" value="([^"]+)"', await form.text())
    assert found, "the sign-in form carries a CSRF token"
    fields = {
        "csrf_token": found.group(1),
        "institution": who[0],
        "username": who[1],
        "password": password,
        "next": "/meters",
    }
    async with http.post(f"{base}/login", data=fields, allow_redirects=False) as answer:
        assert answer.status == 303, await answer.text()
    async with http.get(f"{base}/api/session") as session:
        token: str = (await session.json())["csrf_token"]
    return token
