"""The real services the fault test breaks: Toxiproxy, a dedicated Kafka broker behind it, and
the local PostgreSQL server (restarted with pg_ctl).

Ports: Toxiproxy's API on PPU_TOXIPROXY_PORT (18200) and its proxies on the next three (Kafka,
PostgreSQL, one provider); the dedicated broker on PPU_FAULT_KAFKA_PORT (9213, controller +1),
advertising the Kafka proxy's address so that every client reaches it through the proxy.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ROOT / "deploy" / "local"
HOST = "127.0.0.1"


def api_port() -> int:
    """Toxiproxy's API port; its proxies listen on the next three."""
    return int(os.environ.get("PPU_TOXIPROXY_PORT", "18200"))


async def run(*argv: str, env: dict[str, str] | None = None, timeout_s: float = 180) -> str:
    """Run a command to completion (bounded); its stdout, or an error naming its stderr."""
    proc = await asyncio.create_subprocess_exec(
        *argv,
        env={**os.environ, **(env or {})},
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout_s)
    except TimeoutError:
        proc.kill()
        raise RuntimeError(f"{argv[0]} {argv[1:3]} took over {timeout_s}s") from None
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(argv[:3])} failed ({proc.returncode}): {err.decode()[-800:]}"
        )
    return out.decode()


@dataclass
class Toxiproxy:
    """A running toxiproxy-server and a small client for its REST API."""

    session: aiohttp.ClientSession
    port: int

    @property
    def _api(self) -> str:
        return f"http://{HOST}:{self.port}"

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        async with self.session.request(method, self._api + path, json=body) as response:
            text = await response.text()
            if response.status >= 300:
                raise RuntimeError(f"toxiproxy {method} {path}: {text}")
            return json.loads(text) if response.content_type == "application/json" else text

    async def proxy(self, name: str, listen: int, upstream: str) -> str:
        """Create (or replace) a proxy; returns the address clients should use."""
        await self.session.delete(f"{self._api}/proxies/{name}")
        await self._call(
            "POST",
            "/proxies",
            {"name": name, "listen": f"{HOST}:{listen}", "upstream": upstream, "enabled": True},
        )
        return f"{HOST}:{listen}"

    async def add(self, proxy: str, name: str, kind: str, **attributes: int) -> None:
        """Add a toxic to both directions (`name`-up / `name`-down); live connections get it."""
        for stream in ("upstream", "downstream"):
            body = {"name": f"{name}-{stream}", "type": kind, "stream": stream}
            await self._call("POST", f"/proxies/{proxy}/toxics", {**body, "attributes": attributes})

    async def remove(self, proxy: str, name: str) -> None:
        """Remove both directions of a toxic."""
        for stream in ("upstream", "downstream"):
            await self._call("DELETE", f"/proxies/{proxy}/toxics/{name}-{stream}")

    async def enable(self, proxy: str, enabled: bool) -> None:
        """A disabled proxy closes its connections and refuses new ones."""
        await self._call("POST", f"/proxies/{proxy}", {"enabled": enabled})


@asynccontextmanager
async def toxiproxy(workdir: Path) -> AsyncIterator[Toxiproxy]:
    """Start toxiproxy-server (built by deploy/local/toxiproxy.sh) for the whole run."""
    binary = (await run("bash", str(LOCAL / "toxiproxy.sh"), "install", timeout_s=600)).strip()
    port = api_port()
    with (workdir / "toxiproxy.log").open("ab") as log:
        proc = await asyncio.create_subprocess_exec(
            binary,
            "-host",
            HOST,
            "-port",
            str(port),
            stdout=log,
            stderr=log,
            env={**os.environ, "LOG_LEVEL": "info"},  # trace logs every packet of every link
        )
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        client = Toxiproxy(session, port)
        try:
            await _await_api(client)
            yield client
        finally:
            proc.send_signal(signal.SIGTERM)
            await proc.wait()


async def _await_api(client: Toxiproxy) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            await client._call("GET", "/version")
            return
        except (aiohttp.ClientError, RuntimeError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


class Broker:
    """A dedicated single-node Kafka (deploy/local/kafka.sh with its own ports and state dir)."""

    def __init__(self, *, state_dir: Path, advertised: str) -> None:
        self.port = int(os.environ.get("PPU_FAULT_KAFKA_PORT", "9213"))
        self._state = state_dir
        self._env = {
            "PPU_STATE_DIR": str(state_dir),
            "PPU_KAFKA_PORT": str(self.port),
            "PPU_KAFKA_CONTROLLER_PORT": str(self.port + 1),
            "PPU_KAFKA_ADVERTISED": advertised,
            "PPU_KAFKA_HEAP": "512m",
        }

    async def start(self) -> None:
        """Start and wait until the broker is up (the script waits for its STARTED line)."""
        await run("bash", str(LOCAL / "kafka.sh"), "up", env=self._env)

    async def stop(self) -> None:
        """A clean stop: SIGTERM, wait for the controlled shutdown."""
        await run("bash", str(LOCAL / "kafka.sh"), "down", env=self._env)

    async def kill(self) -> None:
        """SIGKILL: no controlled shutdown, unflushed segments."""
        pid = int((self._state / "kafka" / "kafka.pid").read_text())
        os.kill(pid, signal.SIGKILL)
        async with asyncio.timeout(30):
            while _alive(pid):  # noqa: ASYNC110 - a process, not an event, to wait for
                await asyncio.sleep(0.05)

    def wipe(self) -> None:
        """Forget every topic and offset: each run starts from a freshly formatted broker."""
        shutil.rmtree(self._state, ignore_errors=True)


def _alive(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    try:
        return "State:\tZ" not in status.read_text()
    except FileNotFoundError:
        return False


class Postgres:
    """The local server from deploy/local/postgres.sh, restarted with pg_ctl as its owner."""

    def __init__(self, data_dir: Path, log: Path) -> None:
        self._data = data_dir
        self._log = log
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: p.parts)
        if not found:
            raise RuntimeError("pg_ctl not found under /usr/lib/postgresql")
        self._pg_ctl_bin = str(found[-1])

    @classmethod
    async def local(cls) -> Postgres:
        """The server `make services-up` started (PPU_DATABASE_URL from elsewhere is refused)."""
        where = (await run("bash", str(LOCAL / "postgres.sh"), "dir")).strip()
        if not where:
            raise RuntimeError("no local PostgreSQL from deploy/local/postgres.sh to restart")
        return cls(Path(where) / "data", Path(where) / "postgres.log")

    async def _pg_ctl(self, *args: str) -> None:
        owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        await run(*owner, self._pg_ctl_bin, "-D", str(self._data), "-w", "-t", "60", *args)

    async def stop(self, mode: str) -> None:
        """pg_ctl stop -m fast|immediate."""
        await self._pg_ctl("-m", mode, "stop")

    async def restart(self, mode: str) -> None:
        """pg_ctl restart -m fast|immediate, waiting until it accepts connections again."""
        await self._pg_ctl("-m", mode, "-l", str(self._log), "restart")

    async def start(self) -> None:
        """pg_ctl start, waiting until it accepts connections."""
        await self._pg_ctl("-l", str(self._log), "start")


def with_port(url: str, host_port: str) -> str:
    """`url` pointed at another host:port (a proxy in front of the same server)."""
    parts = urlsplit(url)
    credentials = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return urlunsplit(parts._replace(netloc=credentials + host_port))
