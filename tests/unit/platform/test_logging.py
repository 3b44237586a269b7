"""One log stream: library lines come out structured, expected errors below ERROR, rate-limited."""

from __future__ import annotations

import io
import json
import logging
import warnings
from collections.abc import Iterator

import pytest
import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError

from service.log_filters import ExpectedStartupErrors, RateLimit
from service.logging import HANDLER_NAME, configure_logging


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    """JSON logging into a buffer; the root logger and structlog are put back afterwards."""
    root = logging.getLogger()
    level = root.level
    out = io.StringIO()
    configure_logging(level="INFO", fmt="json", stream=out)
    try:
        yield out
    finally:
        for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
            root.removeHandler(handler)
        root.setLevel(level)
        logging.captureWarnings(False)
        structlog.reset_defaults()


def _lines(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_a_library_line_comes_out_as_json(stream: io.StringIO) -> None:
    """An aiokafka error logged through the standard library is one JSON line with its logger."""
    logging.getLogger("aiokafka.client").error("Unable connect to node with id %s: %s", 1, "boom")
    (line,) = _lines(stream)
    assert line["event"] == "Unable connect to node with id 1: boom"
    assert line["level"] == "error"
    assert line["logger"] == "aiokafka.client"
    assert "timestamp" in line


def test_our_lines_and_library_lines_share_one_stream(stream: io.StringIO) -> None:
    """structlog's own lines and asyncio's land in the same stream, every one JSON."""
    structlog.get_logger("service").info("switch.started", instance="i-1")
    try:
        raise RuntimeError("lost")
    except RuntimeError:
        logging.getLogger("asyncio").exception("Task exception was never retrieved")
    first, second = _lines(stream)
    assert first["event"] == "switch.started"
    assert second["logger"] == "asyncio"
    assert "RuntimeError: lost" in str(second["exception"])


def test_coordinator_election_at_start_is_info(stream: io.StringIO) -> None:
    """The coordinator errors every start prints are logged below ERROR and marked expected."""
    logging.getLogger("aiokafka.consumer.group_coordinator").error(
        "Group Coordinator Request failed: %s", "[Error 15] CoordinatorNotAvailableError"
    )
    (line,) = _lines(stream)
    assert line["level"] == "info"
    assert line["expected"] is True


def test_coordinator_errors_after_start_are_warnings() -> None:
    """Past the start-up window the same error is a WARNING, still not an ERROR."""
    now = [0.0]
    expected = ExpectedStartupErrors(startup_s=60, clock=lambda: now[0])
    now[0] = 61.0
    record = logging.LogRecord(
        "aiokafka.producer.sender",
        logging.ERROR,
        __file__,
        1,
        "FindCoordinator Request failed: %s",
        ("NotCoordinatorError",),
        None,
    )
    assert expected.filter(record)
    assert record.levelno == logging.WARNING


def test_other_errors_keep_their_level(stream: io.StringIO) -> None:
    """An aiokafka error that is not coordinator election stays an ERROR."""
    logging.getLogger("aiokafka").error("Topic %s is not authorized for this client", "t")
    (line,) = _lines(stream)
    assert line["level"] == "error"


def test_repeated_library_errors_are_rate_limited() -> None:
    """Thousands of identical lines in an outage become a burst, then one line counting the rest."""
    now = [0.0]
    limit = RateLimit(burst=5, interval_s=10, clock=lambda: now[0])

    def record() -> logging.LogRecord:
        return logging.LogRecord(
            "aiokafka.client", logging.ERROR, __file__, 1, "Unable connect to %s", ("x",), None
        )

    passed = sum(limit.filter(record()) for _ in range(3000))
    assert passed == 5
    now[0] = 10.0
    after = record()
    assert limit.filter(after)
    assert after.suppressed == 2995


def test_rate_limited_lines_are_json_with_the_count(stream: io.StringIO) -> None:
    """Through the configured handler, a storm of one line prints at most the burst."""
    for _ in range(50):
        logging.getLogger("aiokafka.client").error("Unable connect to %s", "127.0.0.1:1")
    assert len(_lines(stream)) == 5


def test_leader_election_on_new_topics_is_info_at_start(stream: io.StringIO) -> None:
    """Offsets fetched before a new topic's leader is elected: expected at start, not an ERROR."""
    logging.getLogger("aiokafka.consumer.fetcher").error(
        "Failed fetch offsets from %s: %s", 1, "[Error 6] NotLeaderForPartitionError"
    )
    (line,) = _lines(stream)
    assert line["level"] == "info"


async def test_aiokafkas_own_lines_come_out_as_json(stream: io.StringIO) -> None:
    """A real aiokafka client failing to reach a closed port logs JSON lines, not raw text."""
    producer = AIOKafkaProducer(bootstrap_servers="127.0.0.1:1", request_timeout_ms=1000)
    with pytest.raises(KafkaConnectionError):
        await producer.start()
    await producer.stop()
    lines = _lines(stream)
    assert lines
    assert any(str(line.get("logger", "")).startswith("aiokafka") for line in lines)


def test_python_warnings_are_records_too(stream: io.StringIO) -> None:
    """A library's warning goes through logging, so it is a JSON line like the rest."""
    with warnings.catch_warnings():
        warnings.simplefilter("always")  # the suite turns warnings into errors; here: shown
        warnings.warn("old API", DeprecationWarning, stacklevel=1)
    (line,) = _lines(stream)
    assert line["logger"] == "py.warnings"
    assert "DeprecationWarning: old API" in str(line["event"])
