"""What every scenario shares: the local services, and (started on first use) Toxiproxy, the
dedicated broker behind it and control of the PostgreSQL server."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Any
from urllib.parse import urlsplit

from tests.fault.infra import HOST, Broker, Postgres, Toxiproxy, api_port, toxiproxy, with_port
from tests.fault.scene import Scene, Setup

KAFKA_PROXY, PG_PROXY, PROVIDER_PROXY = "kafka", "postgres", "provider"


@dataclass
class Ctx:
    """The run's shared services; scenarios ask for the ones they need."""

    workdir: Path
    state_dir: Path
    seed: int
    say: Callable[[str], None]
    stack: AsyncExitStack
    bootstrap: str = field(default_factory=lambda: os.environ["PPU_KAFKA_BOOTSTRAP"])
    admin_url: str = field(default_factory=lambda: os.environ["PPU_DATABASE_URL"])
    _toxi: Toxiproxy | None = None
    _broker: tuple[Broker, str] | None = None

    def setup(self, **overrides: Any) -> Setup:
        """The local broker and server, unless a scenario routes elsewhere."""
        return Setup(**{"bootstrap": self.bootstrap, "database_url": self.admin_url, **overrides})

    async def toxi(self) -> Toxiproxy:
        """Toxiproxy, started once per run."""
        if self._toxi is None:
            self._toxi = await self.stack.enter_async_context(toxiproxy(self.workdir))
        return self._toxi

    async def broker(self) -> tuple[Broker, str]:
        """The dedicated broker and the proxy address every client must use to reach it."""
        if self._broker is None:
            toxi = await self.toxi()
            listen = api_port() + 1
            broker = Broker(state_dir=self.state_dir / "fault-kafka", advertised=f"{HOST}:{listen}")
            await toxi.proxy(KAFKA_PROXY, listen, f"{HOST}:{broker.port}")
            await broker.stop()  # one a killed run left behind, before its data goes
            broker.wipe()
            self.say(f"starting the dedicated broker on {broker.port} behind {HOST}:{listen}")
            await broker.start()
            self.stack.push_async_callback(broker.stop)
            self._broker = (broker, f"{HOST}:{listen}")
        return self._broker

    async def postgres(self) -> Postgres:
        """Control of the local PostgreSQL server (for restarts)."""
        return await Postgres.local()

    async def pg_proxy(self) -> Callable[[str], str]:
        """A proxy in front of PostgreSQL; maps a database URL onto it."""
        toxi = await self.toxi()
        server = urlsplit(self.admin_url)
        listen = api_port() + 2
        address = await toxi.proxy(PG_PROXY, listen, f"{server.hostname}:{server.port or 5432}")
        return lambda url: with_port(url, address)

    def provider_proxy(self) -> Callable[[Any], Awaitable[dict[str, str]]]:
        """A proxy in front of provider P1 (the first simulator)."""

        async def urls(sims: Any) -> dict[str, str]:
            toxi = await self.toxi()
            first = sims[0]
            address = await toxi.proxy(PROVIDER_PROXY, api_port() + 3, f"{HOST}:{first.port}")
            return {first.config.provider_id: f"http://{address}"}

        return urls


@dataclass(frozen=True)
class Scenario:
    """A named fault: how its switch is set up and what it does to it."""

    name: str
    doc: str
    setup: Callable[[Ctx], Awaitable[Setup]]
    body: Callable[[Ctx, Scene, Random], Awaitable[None]]
