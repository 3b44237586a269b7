"""Command line: `python -m service COMMAND`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Coroutine
from typing import Any

import uvloop

from service import bootstrap
from service.config import ConfigError, load_config
from service.console.server import serve as serve_console
from service.deadletters import cli as dead_letters
from service.logging import configure_logging
from service.settings import Settings

Command = Callable[[Settings], Coroutine[Any, Any, None]]


async def _run(settings: Settings) -> None:
    await bootstrap.run_service(settings)


async def _migrate(settings: Settings) -> None:
    applied = await bootstrap.apply_migrations(settings)
    print(f"applied {len(applied)} migration(s): {', '.join(applied) or 'schema already current'}")


async def _create_topics(settings: Settings) -> None:
    created = await bootstrap.create_topics(settings)
    print(f"created {len(created)} topic(s): {', '.join(created) or 'all present'}")


async def _check_config(settings: Settings) -> None:
    config = load_config(settings.config_file)
    print(
        f"{settings.config_file}: {len(config.providers)} providers, "
        f"{len(config.institutions)} institutions, {len(config.utilities)} utilities: OK"
    )


COMMANDS: dict[str, tuple[Command, str]] = {
    "run": (_run, "run the switch: consume the input topics until SIGINT/SIGTERM"),
    "migrate": (_migrate, "apply pending PostgreSQL migrations and exit"),
    "create-topics": (
        _create_topics,
        "create the contract's Kafka topics that are missing and exit",
    ),
    "check-config": (_check_config, "validate the configuration file (PPU_CONFIG_FILE) and exit"),
    "console": (serve_console, "serve the operator console (PPU_CONSOLE_*) until SIGINT/SIGTERM"),
}


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run one command, return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m service",
        description="PPU switch. Settings come from PPU_* environment variables (see README).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, description=help_text)
    dead_letters.register(sub)
    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging(level=settings.log_level, fmt=settings.log_format)
    try:
        if args.command == "dead-letters":
            return uvloop.run(dead_letters.run(args, settings))
        uvloop.run(COMMANDS[args.command][0](settings))
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
