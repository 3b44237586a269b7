"""The benchmark's moving parts outside its own process: databases and child processes.

Every child dies with the benchmark: it is stopped (SIGTERM, then SIGKILL) on the way out,
and the kernel sends it SIGTERM should the benchmark itself be killed (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import asyncpg

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM when the benchmark process goes away."""
    if sys.platform.startswith("linux"):  # elsewhere only the normal stop path applies
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def database_url(server_url: str, name: str) -> str:
    """The same server and credentials, another database."""
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@asynccontextmanager
async def fresh_database(server_url: str, prefix: str) -> AsyncIterator[str]:
    """Create an empty database on the server of `server_url`; drop it on exit."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield database_url(server_url, name)
    finally:
        conn = await asyncpg.connect(server_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


class Child:
    """One child process with its log file; `stop` is safe to call twice."""

    def __init__(self, name: str, proc: asyncio.subprocess.Process, log: Path) -> None:
        self.name = name
        self.proc = proc
        self.log = log

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self.proc.pid

    def check_alive(self) -> None:
        """Raise with the log's tail when the child has exited."""
        if self.proc.returncode is not None:
            raise RuntimeError(f"{self.name} exited ({self.proc.returncode}):\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        """The last lines of the child's log."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    async def stop(self, grace_s: float = 30.0) -> None:
        """SIGTERM, wait for a clean exit (it drains and commits), SIGKILL after `grace_s`."""
        if self.proc.returncode is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), grace_s)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()
            await self.proc.wait()


async def spawn(
    name: str, args: list[str], *, env: Mapping[str, str], log_dir: Path, cwd: Path
) -> Child:
    """Start `python ARGS` from the venv with `env` added to ours, its output to a log file."""
    log = log_dir / f"{name}.log"
    out: IO[bytes] = log.open("ab")
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            *args,
            cwd=cwd,
            env={**os.environ, **env},
            stdin=asyncio.subprocess.DEVNULL,
            stdout=out,
            stderr=out,
            # Safe here: the only other threads are asyncio's child watchers, blocked in waitpid.
            preexec_fn=_die_with_parent,
            # Its own process group: a Ctrl-C on the terminal reaches only the benchmark,
            # which then stops each child in order (the switch drains before the providers go).
            start_new_session=True,
        )
    finally:
        out.close()
    return Child(name, proc, log)


async def wait_http(url: str, child: Child, timeout_s: float = 30.0) -> None:
    """Poll `url` until it answers 200 (or the child dies, or the time is up)."""
    deadline = time.monotonic() + timeout_s
    async with aiohttp.ClientSession() as session:
        while True:
            child.check_alive()
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            if time.monotonic() > deadline:
                raise RuntimeError(f"{child.name} did not answer {url}:\n{child.tail()}")
            await asyncio.sleep(0.2)


async def ledger_counts(session: aiohttp.ClientSession, base_url: str) -> tuple[int, int]:
    """(vends, advices) the simulated provider recorded."""
    async with session.get(f"{base_url}_sim/ledger") as response:
        body = await response.json()
    return len(body.get("vends", [])), len(body.get("advices", []))
