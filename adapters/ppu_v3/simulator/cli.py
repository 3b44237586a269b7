"""Command line: `python -m adapters.simulator --port PORT [--config FILE]`."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
from pathlib import Path

import structlog
import uvloop

from adapters.ppu_v3.simulator.config import SimProviderConfig, SimulatorFile, load_config
from adapters.ppu_v3.simulator.server import running_simulators
from service.logging import configure_logging

_log = structlog.get_logger("adapters.ppu_v3.simulator")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m adapters.simulator", description="PPU v3 provider simulator"
    )
    parser.add_argument("--port", type=int, default=8080, help="port (first port for a file)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback default)")
    parser.add_argument("--config", type=Path, help="TOML file; without it, the TST meters")
    return parser.parse_args(argv)


def _configuration(args: argparse.Namespace) -> SimulatorFile:
    """The providers to serve; --host applies to those that do not name one."""
    loaded = load_config(args.config) if args.config else None
    providers = loaded.providers if loaded else [SimProviderConfig(port=args.port)]
    return SimulatorFile(
        providers=[
            p if "host" in p.model_fields_set else p.model_copy(update={"host": args.host})
            for p in providers
        ]
    )


async def serve_until_stopped(config: SimulatorFile, base_port: int) -> None:
    """Serve until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with running_simulators(config, base_port=base_port) as running:
        for sim in running:
            _log.info(
                "simulator.started",
                provider_id=sim.config.provider_id,
                name=sim.config.name,
                base_url=sim.base_url,
            )
        await stop.wait()
    _log.info("simulator.stopped")


def main(argv: list[str] | None = None) -> None:
    """Entry point."""
    args = parse_args(argv)
    # The switch's PPU_LOG_* settings, so `make run` gives one stream in one format.
    fmt = os.environ.get("PPU_LOG_FORMAT", "auto")
    configure_logging(
        level=os.environ.get("PPU_LOG_LEVEL", "INFO"),
        fmt="json" if fmt == "json" else "console" if fmt == "console" else "auto",
    )
    uvloop.run(serve_until_stopped(_configuration(args), args.port))
