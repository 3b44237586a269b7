"""How the dead-letter commands print letters: one line each, or one in full."""

from __future__ import annotations

import json
from collections.abc import Sequence

from service.deadletters.letters import DeadLetter

REASON_WIDTH = 80


def row(letter: DeadLetter) -> str:
    """One line: id, failure time, source position, kind, replayability and reason."""
    when = letter.occurred_at.isoformat(timespec="seconds").replace("+00:00", "Z")
    source = f"{letter.source_topic}/{letter.source_partition}/{letter.source_offset}"
    mark = "ok" if letter.unreplayable() is None else ("CUT" if letter.truncated else "NO")
    cut = REASON_WIDTH - 3
    reason = letter.reason if len(letter.reason) <= REASON_WIDTH else letter.reason[:cut] + "..."
    return f"{letter.letter_id}  {when}  {source}  {letter.error_type}  {mark}  {reason}"


def summary(letters: Sequence[DeadLetter]) -> str:
    """The closing line of a listing."""
    cut = sum(1 for x in letters if x.unreplayable())
    return f"{len(letters)} letter(s); {cut} cannot be replayed (marked CUT or NO)"


def _original(value: bytes | None) -> str:
    if value is None:
        return "(none: tombstone)"
    try:
        return json.dumps(json.loads(value), indent=2, sort_keys=True)
    except ValueError:
        return repr(value[:2000])


def describe(letter: DeadLetter) -> str:
    """The whole letter: fields, headers, original, and whether it can be replayed."""
    skip = {"original_value", "original_key", "headers"}
    lines = [f"{k}: {v}" for k, v in sorted(letter.envelope.items()) if k not in skip]
    lines.append(f"dead-letter position: {letter.position}")
    key = None if letter.key is None else letter.key.decode("utf-8", errors="replace")
    lines.append(f"original key: {key}")
    lines.extend(f"header {k}: {v.decode('utf-8', errors='replace')}" for k, v in letter.headers)
    if letter.replay_of:
        lines.append(f"this original was a replay of letter {letter.replay_of}")
    why = letter.unreplayable()
    lines.append("replayable: yes" if why is None else f"replayable: NO: {why}")
    lines.append("original value:")
    lines.append(_original(letter.value))
    return "\n".join(lines)
