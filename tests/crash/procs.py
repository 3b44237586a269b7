"""The switch as a real child process that a test can SIGKILL and start again."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from adapters.ppu_v3.simulator.server import RunningSimulator

ROOT = Path(__file__).resolve().parents[2]


def switch_toml(
    sims: Sequence[RunningSimulator],
    *,
    rules: Mapping[str, float | int],
    institutions: Sequence[str] = ("INST",),
    base_urls: Mapping[str, str] | None = None,
) -> str:
    """A switch configuration file pointing at in-process simulators (or, by provider id, at
    another address in front of one, such as a proxy), with every provider enabled for each
    of the institutions."""
    lines = ["[rules]", *(f"{k} = {v}" for k, v in rules.items()), ""]
    lines += [
        "[[utilities]]",
        'id = "COJ"',
        'name = "City of Johannesburg"',
        'aliases = ["City Power", "CPW", "JHB"]',
        "",
    ]
    for sim in sims:
        lines += [
            "[[providers]]",
            f'id = "{sim.config.provider_id}"',
            f'name = "{sim.config.name}"',
            f'base_url = "{(base_urls or {}).get(sim.config.provider_id, sim.base_url)}"',
            'username = "switch"',
            "http = { timeouts = { lookup = 1.0, purchase = 1.0, retry = 1.0, advice = 1.0 },"
            " lookup_attempts = 1, breaker = { failure_threshold = 1000 } }",
            "",
        ]
    enabled = ", ".join(f'"{s.config.provider_id}"' for s in sims)
    for institution in institutions:
        lines += [
            "[[institutions]]",
            f'id = "{institution}"',
            f'name = "Test {institution}"',
            f"enabled_providers = [{enabled}]",
            "",
        ]
    return "\n".join(lines)


class SwitchProcess:
    """`python -m service run` in a child process with the given environment."""

    def __init__(self, env: Mapping[str, str], log_path: Path) -> None:
        self._env = {**os.environ, **env}
        self._log_path = log_path
        self.proc: asyncio.subprocess.Process | None = None
        self.starts = 0
        self.restarts = 0  # by the supervisor, after the process ended on its own

    async def start(self) -> None:
        """Start (again); output is appended to the log file."""
        log = self._log_path.open("ab")
        try:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "service",
                "run",
                cwd=ROOT,
                env=self._env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        finally:
            log.close()
        self.starts += 1

    @property
    def died(self) -> bool:
        """Whether the process ended on its own (not by our SIGKILL or SIGTERM)."""
        return self.proc is not None and self.proc.returncode not in (None, -signal.SIGKILL)

    def log_tail(self, lines: int = 20) -> str:
        """The end of the service's output, to show why it died."""
        return "\n".join(self._log_path.read_text(errors="replace").splitlines()[-lines:])

    async def kill(self) -> None:
        """SIGKILL: no drain, no commit, no goodbye."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
            await self.proc.wait()

    async def stop(self) -> int | None:
        """SIGTERM and wait for the graceful exit."""
        if self.proc is None or self.proc.returncode is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), timeout=60)
        except TimeoutError:
            await self.kill()
            return None

    async def supervise(self, *, say: Callable[[str], None], pause_s: float = 1.0) -> None:
        """Restart the process whenever it ends on its own, as systemd or Kubernetes would.

        Runs until cancelled; a process that exits to recover from a fault needs no hand.
        """
        while True:
            await asyncio.sleep(0.2)
            if self.died:
                code = self.proc.returncode if self.proc else None
                say(f"switch exited on its own (status {code}); restarting it")
                await asyncio.sleep(pause_s)
                self.restarts += 1
                await self.start()
