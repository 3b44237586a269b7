"""structlog configuration, applied once by the entry point."""

from __future__ import annotations

import logging
import sys
from typing import Literal

import structlog


def configure_logging(
    *, level: str = "INFO", fmt: Literal["auto", "json", "console"] = "auto"
) -> None:
    """Route structlog and stdlib logging to stderr, JSON unless a person is watching."""
    json_out = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if json_out else structlog.dev.ConsoleRenderer()
    )
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
    # Libraries (aiokafka, asyncpg) log through stdlib; keep their warnings, drop their chatter.
    logging.basicConfig(
        level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s"
    )
