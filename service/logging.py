"""structlog configuration, applied once by an entry point: one structured stream on stderr.

Our own lines go through structlog. The libraries' (aiokafka, asyncpg, asyncio, aiohttp) go
through the standard library's logging, whose one handler renders them with the same processors,
so `PPU_LOG_FORMAT=json` gives JSON lines only. Two filters sit on that handler (`log_filters`):
coordinator errors aiokafka prints while the group coordinator is still being elected are expected
and logged below ERROR, and a library line repeated many times (a broker outage prints thousands)
is rate-limited, the next line let through saying how many were suppressed.
"""

from __future__ import annotations

import logging
import sys
from typing import Literal, TextIO

import structlog

from service.log_filters import ExpectedStartupErrors, RateLimit

HANDLER_NAME = "ppu-structured"


def _renderer(json_out: bool) -> structlog.typing.Processor:
    if json_out:
        return structlog.processors.JSONRenderer()
    return structlog.dev.ConsoleRenderer()


def _library_handler(
    stream: TextIO, *, renderer: structlog.typing.Processor, level: int
) -> logging.Handler:
    """The standard library's one handler: library records rendered as structlog renders ours."""
    handler = logging.StreamHandler(stream)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[
                structlog.stdlib.add_log_level,
                structlog.stdlib.add_logger_name,
                structlog.stdlib.ExtraAdder(allow=["suppressed", "expected"]),
                structlog.processors.TimeStamper(fmt="iso", utc=True),
            ],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    # Order matters: a start-up error is downgraded first, so it is never counted as repeated.
    handler.addFilter(ExpectedStartupErrors(min_level=level))
    handler.addFilter(RateLimit())
    return handler


def configure_logging(
    *,
    level: str = "INFO",
    fmt: Literal["auto", "json", "console"] = "auto",
    stream: TextIO | None = None,
) -> None:
    """Route structlog and stdlib logging to one stream, JSON unless a person is watching."""
    out = stream or sys.stderr
    json_out = fmt == "json" or (fmt == "auto" and not out.isatty())
    renderer = _renderer(json_out)
    numeric = logging.getLevelName(level)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(out),
        cache_logger_on_first_use=True,
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(_library_handler(out, renderer=renderer, level=numeric))
    # Python's warnings (deprecations in a library) would print raw text; as records they do not.
    logging.captureWarnings(True)
    # Libraries' chatter stays out; their warnings and errors come through (filtered above).
    root.setLevel(max(logging.WARNING, numeric))
