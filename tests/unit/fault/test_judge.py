"""The fault test's judge: it must catch each kind of problem the contract forbids."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import uuid
from typing import Any

from service.topics import Topic
from tests.crash.rig import Seen
from tests.fault.bad_records import draw_specs, to_request
from tests.fault.expect import Request, Sent, Want
from tests.fault.judge import judge
from tests.fault.load import purchase

PREFIX = "t."


def _out(topic: Topic, **event: Any) -> Seen:
    event.setdefault("event_id", str(uuid.uuid4()))
    value = json.dumps(event).encode()
    return Seen(f"{PREFIX}{topic.value}", value, event, 0)


def _sent(request: Request, offset: int = 0) -> Sent:
    return Sent(request, f"{PREFIX}{request.topic.value}", 0, offset, 0)


def _issued(pid: str | None) -> Seen:
    return _out(Topic.TOKEN_ISSUED, purchase_id=pid, tokens=[])


def _failed(pid: str | None, outcome: str, kind: str, message: str) -> Seen:
    error = {"type": kind, "message": message}
    return _out(Topic.PURCHASE_FAILED, purchase_id=pid, outcome=outcome, error=error)


def test_an_answered_purchase_is_clean_and_an_unanswered_one_is_missing() -> None:
    """One outcome for a valid purchase is all it needs; none is one missing."""
    rng = random.Random(1)
    answered, lost = purchase(rng, "04121234567", 1000), purchase(rng, "04121234568", 1000)
    found = judge(
        [_sent(answered, 0), _sent(lost, 1)],
        [_issued(answered.rid)],
        {answered.rid: [("04121234567", 1000)]},
    )
    assert (found.missing_count, found.conflicting_count, found.vends) == (1, 0, [])
    assert lost.rid in found.missing[0]


def test_a_conflicting_copy_that_vends_is_caught_three_ways() -> None:
    """Another meter under the same purchase id must get CONFLICTING_DUPLICATE, never a vend."""
    rng = random.Random(2)
    first = purchase(rng, "04121234567", 1000)
    copy = purchase(rng, "04129999999", 1000, purchase_id=first.rid, phase=1)
    outs = [_issued(first.rid), _issued(first.rid)]
    found = judge(
        [_sent(first, 0), _sent(copy, 1)],
        outs,
        {first.rid: [("04121234567", 1000), ("04129999999", 1000)]},
    )
    assert found.missing_count == 1
    assert found.conflicting_count == 1
    assert len(found.vends) == 1


def test_the_right_conflict_answer_and_a_replay_are_clean() -> None:
    """A dashed copy replays the decision; another amount gets the conflict; one vend."""
    rng = random.Random(3)
    first = purchase(rng, "04121234567", 1000)
    dashed = purchase(rng, "0412-123-4567", 1000, purchase_id=first.rid)
    other = purchase(rng, "04121234567", 2000, purchase_id=first.rid)
    message = "conflicting duplicate purchase_id"
    outs = [
        _issued(first.rid),
        _issued(first.rid),
        _failed(first.rid, "INVALID", "CONFLICTING_DUPLICATE", message),
    ]
    sent = [_sent(r, i) for i, r in enumerate((first, dashed, other))]
    found = judge(sent, outs, {first.rid: [("04121234567", 1000)]})
    assert (found.missing_count, found.conflicting_count, found.vends) == (0, 0, [])


def test_a_vend_of_the_conflicting_copy_is_caught() -> None:
    """The one vend must be the first request's meter and amount, not a losing copy's."""
    rng = random.Random(5)
    first = purchase(rng, "04121234567", 1000)
    later = purchase(rng, "04121234567", 2000, purchase_id=first.rid, phase=1)
    message = "conflicting duplicate purchase_id"
    outs = [_issued(first.rid), _failed(first.rid, "INVALID", "CONFLICTING_DUPLICATE", message)]
    found = judge([_sent(first, 0), _sent(later, 1)], outs, {first.rid: [("04121234567", 2000)]})
    assert len(found.vends) == 1


def test_copies_of_one_fingerprint_that_disagree_conflict() -> None:
    """Two copies of one request answered TOKEN_ISSUED and UNKNOWN disagree."""
    rng = random.Random(4)
    first = purchase(rng, "04121234567", 1000)
    again = purchase(rng, "04121234567", 1000, purchase_id=first.rid)
    outs = [_issued(first.rid), _failed(first.rid, "UNKNOWN", "TIMEOUT", "lost")]
    found = judge([_sent(first, 0), _sent(again, 1)], outs, {first.rid: [("04121234567", 1000)]})
    assert found.conflicting_count == 1


def test_an_invalid_answer_must_name_the_field() -> None:
    """A negative amount answered INVALID without naming `amount` is still missing."""
    bad = Request(
        label="negative amount",
        topic=Topic.PURCHASE_REQUESTED,
        key=b"k",
        value=b"{}",
        want=Want.INVALID,
        rid="p-1",
        error_type="INVALID_REQUEST",
        field="amount",
    )
    vague = judge([_sent(bad)], [_failed("p-1", "INVALID", "INVALID_REQUEST", "bad input")], {})
    named = judge([_sent(bad)], [_failed("p-1", "INVALID", "INVALID_REQUEST", "amount < 0")], {})
    assert vague.missing_count == 1
    assert (named.missing_count, named.conflicting_count) == (0, 0)


def _letter(sent: Sent, original: bytes, head: bytes, length: int) -> Seen:
    return _out(
        Topic.DEAD_LETTER,
        source_topic=sent.topic,
        source_partition=sent.partition,
        source_offset=sent.offset,
        original_value=base64.b64encode(head).decode(),
        original_length=length,
        original_sha256=hashlib.sha256(original).hexdigest(),
        reason="too large",
    )


def test_an_oversize_record_needs_a_cut_letter_with_its_length_and_hash() -> None:
    """The letter must carry the first bytes, the full length and the SHA-256."""
    value = b"x" * 70_000
    big = Request(
        label="oversize", topic=Topic.LOOKUP_REQUESTED, key=None, value=value, want=Want.DEAD_LETTER
    )
    sent = _sent(big, 7)
    good = judge([sent], [_letter(sent, value, value[:1024], len(value))], {})
    wrong = judge([sent], [_letter(sent, value, value[:1024], 1024)], {})
    none = judge([sent], [], {})
    assert (good.missing_count, good.conflicting_count) == (0, 0)
    assert wrong.conflicting_count == 1
    assert none.missing_count == 1


def test_bad_records_are_the_same_for_a_seed_and_cover_every_defect() -> None:
    """Hypothesis draws them deterministically; each defect appears, ids are unique."""
    first, second = draw_specs(5, 600, per_defect=5), draw_specs(5, 600, per_defect=5)
    assert first == second
    assert len({(kind, defect) for kind, defect, _ in first}) == 27
    requests = [to_request(spec, random.Random(i)) for i, spec in enumerate(first)]
    rids = [r.rid for r in requests if r.rid]
    assert len(rids) == len(set(rids))
