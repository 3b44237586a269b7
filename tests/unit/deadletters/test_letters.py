"""Dead letters as the tools read them: parsing, filters, replayability and the link headers."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from service.deadletters import cli
from service.deadletters.kafka_io import replay_headers
from service.deadletters.letters import LINK_ID, LetterError, LetterFilter, parse
from service.deadletters.render import describe, row
from service.engine.deadletter import FailureKind, dead_letter
from service.engine.records import Record

AT = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
ORIGINAL = b'{"event_id":"e1","purchase_id":"p1"}'


def engine_letter(*, topic: str = "ppu.purchase.requested", reason: str = "boom") -> bytes:
    """A letter exactly as the engine writes it."""
    record = Record(
        topic=topic,
        partition=2,
        offset=41,
        key=b"04121111111",
        value=ORIGINAL,
        timestamp_ms=1,
        headers=(("trace", b"abc"), (LINK_ID, b"older-letter")),
    )
    message = dead_letter(
        topic="ppu.dead-letter",
        group="g",
        record=record,
        kind=FailureKind.PERMANENT,
        reason=reason,
        attempts=1,
        at=AT,
    )
    return message.payload


def cut_letter() -> dict[str, Any]:
    """A letter whose original was cut to fit the topic."""
    envelope = json.loads(engine_letter())
    envelope.update(
        original_value=base64.b64encode(ORIGINAL[:10]).decode(),
        original_truncated=True,
        original_length=2_000_000,
        original_sha256=hashlib.sha256(b"whole").hexdigest(),
    )
    return envelope


def test_an_engine_letter_parses_back_to_the_original_bytes_key_and_headers() -> None:
    """Whatever the engine writes, the tool reads back byte for byte."""
    letter = parse(engine_letter(), position="ppu.dead-letter/0/7")
    assert (letter.value, letter.key) == (ORIGINAL, b"04121111111")
    assert (letter.source_topic, letter.source_partition, letter.source_offset) == (
        "ppu.purchase.requested",
        2,
        41,
    )
    assert letter.occurred_at == AT
    assert letter.replay_of == "older-letter"
    assert letter.unreplayable() is None
    assert "replayable: yes" in describe(letter)


def test_a_cut_original_cannot_be_replayed_and_says_why() -> None:
    """original_truncated: the letter is refused, naming the full length and its SHA-256."""
    letter = parse(json.dumps(cut_letter()).encode(), position="dl/0/1")
    why = letter.unreplayable()
    assert why is not None
    assert "cut" in why
    assert "2000000" in why
    assert " CUT " in row(letter)


def test_a_kept_original_that_does_not_match_its_hash_is_refused() -> None:
    """A damaged letter is not replayed."""
    envelope = json.loads(engine_letter())
    envelope["original_sha256"] = "0" * 64
    assert "SHA-256" in (parse(json.dumps(envelope).encode(), position="p").unreplayable() or "")


def test_a_record_that_is_not_an_envelope_is_an_error() -> None:
    """Garbage on the dead-letter topic is reported, never taken for a letter."""
    with pytest.raises(LetterError):
        parse(b"not json", position="p")
    with pytest.raises(LetterError):
        parse(b'{"event_id": "x"}', position="p")


def test_filters_by_topic_with_or_without_prefix_reason_time_and_id() -> None:
    """Each condition narrows; a topic matches with or without the deployment's prefix."""
    letter = parse(engine_letter(topic="prod.ppu.purchase.requested"), position="p")
    assert LetterFilter(topics=frozenset({"ppu.purchase.requested"})).matches(
        letter, topic_prefix="prod."
    )
    assert not LetterFilter(topics=frozenset({"ppu.lookup.requested"})).matches(
        letter, topic_prefix="prod."
    )
    assert LetterFilter(reason="BOO").matches(letter)
    assert not LetterFilter(reason="timeout").matches(letter)
    assert LetterFilter(since=AT, until=AT + timedelta(seconds=1)).matches(letter)
    assert not LetterFilter(since=AT + timedelta(seconds=1)).matches(letter)
    assert not LetterFilter(until=AT).matches(letter)
    assert LetterFilter(ids=frozenset({letter.letter_id[:8]})).matches(letter)
    assert not LetterFilter(ids=frozenset({"ffffffff"})).matches(letter)


def test_replay_headers_keep_the_originals_and_link_to_this_letter_only() -> None:
    """The original headers stay; an older link is replaced by the link to this letter."""
    letter = parse(engine_letter(), position="ppu.dead-letter/0/7")
    headers = dict(replay_headers(letter, at=AT))
    assert headers["trace"] == b"abc"
    assert headers[LINK_ID] == letter.letter_id.encode()
    assert headers["ppu-dead-letter-position"] == b"ppu.dead-letter/0/7"
    assert [k for k, _ in replay_headers(letter, at=AT)].count(LINK_ID) == 1


def test_the_same_original_in_two_letters_is_sent_once() -> None:
    """A replay that failed again leaves a second letter with the same bytes: one copy goes."""
    first = parse(engine_letter(), position="dl/0/1")
    second = parse(engine_letter(reason="again"), position="dl/0/2")
    assert cli._distinct([first, second]) == [first]


def test_replay_without_a_terminal_needs_yes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scripts must say --yes; a person is asked, and only y or yes goes ahead."""
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    assert not cli._confirmed(3, cli.Counter({"t": 3}), yes=False)
    assert cli._confirmed(3, cli.Counter({"t": 3}), yes=True)

    class Terminal(io.StringIO):
        """A stdin that says it is a terminal."""

        def isatty(self) -> bool:
            """Yes."""
            return True

    monkeypatch.setattr("sys.stdin", Terminal("yes\n"))
    assert cli._confirmed(3, cli.Counter({"t": 3}), yes=False)
    monkeypatch.setattr("sys.stdin", Terminal("\n"))
    assert not cli._confirmed(3, cli.Counter({"t": 3}), yes=False)
