"""The fault test's judge: every request's outcomes, dead letters and vends against its `want`."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Container, Iterable, Mapping, Sequence
from typing import Any

from service.topics import Topic
from tests.crash.rig import Seen
from tests.fault.expect import (
    CONFLICT,
    CONFLICT_MESSAGE,
    Findings,
    Sent,
    Want,
    check_letter,
    decision,
    letters_by_source,
    outcomes_by_request,
    summary,
)

Events = list[dict[str, Any]]


def _names_field(event: dict[str, Any], name: str | None) -> bool:
    """Whether the outcome's message names the field (any of `a|b` spellings)."""
    text = str((event.get("error") or {}).get("message") or event.get("reason") or "")
    return name is None or any(n in text for n in name.split("|"))


def _take_invalid(sent: Sent, outs: Events) -> dict[str, Any] | None:
    """Remove and return the INVALID outcome that answers this request, if one came."""
    req = sent.request
    for event in outs:
        error_type = (event.get("error") or {}).get("type")
        if event.get("outcome") != "INVALID":
            continue
        if req.error_type and error_type != req.error_type:
            continue
        if _names_field(event, req.field):
            outs.remove(event)
            return event
    return None


def _winner(answers: Sequence[Sent], decided: int, conflicts: int) -> tuple[int, int]:
    """(decisions, conflicts) expected: one fingerprint of the earliest phase wins."""
    counts = Counter(s.request.fingerprint for s in answers)
    first = min(s.request.phase for s in answers)
    candidates = {s.request.fingerprint for s in answers if s.request.phase == first}
    options = [(counts[fp], len(answers) - counts[fp]) for fp in candidates]
    return min(options, key=lambda o: abs(o[0] - decided) + abs(o[1] - conflicts))


def _judge_answers(
    rid: str, group: Sequence[Sent], outs: Events, came: list[str], found: Findings
) -> None:
    """Copies that must be answered: one winning decision, the other fingerprints conflicts."""
    conflicts = [e for e in outs if (e.get("error") or {}).get("type") == CONFLICT]
    decided = [e for e in outs if e not in conflicts]
    answers = [s for s in group if s.request.want is Want.ANSWER]
    label = "; ".join(sorted({s.request.label for s in group}))
    if not answers:
        if outs:
            came_now = sorted(summary(e) for e in outs)
            found.clash(f"{rid} ({label}): outcome(s) not due: {came_now}", len(outs), label)
        return
    want_dec, want_conf = _winner(answers, len(decided), len(conflicts))
    lacking = max(0, want_dec - len(decided)) + max(0, want_conf - len(conflicts))
    extra = max(0, len(decided) - want_dec) + max(0, len(conflicts) - want_conf)
    bad = [e for e in decided if e.get("outcome") == "INVALID"]
    bad += [e for e in conflicts if CONFLICT_MESSAGE not in str(e["error"].get("message"))]
    kinds = {decision(e) for e in decided}
    expected = f"{want_dec} agreeing outcome(s)" + (
        f" + {want_conf} INVALID/{CONFLICT}" if want_conf else ""
    )
    if lacking:
        found.lack(
            f"{rid} ({label}): {lacking} missing; expected {expected}; came {came}", lacking, label
        )
    wrong = extra + len(bad) + max(0, len(kinds) - 1)
    if wrong:
        found.clash(f"{rid} ({label}): expected {expected}; came {came}", wrong, label)


def judge_request(
    rid: str, group: Sequence[Sent], outs: Events, letters: Sequence[str], found: Findings
) -> None:
    """All the copies sharing one request id against the outcomes published for that id (and
    the reasons of any dead letters its records got, to show what came instead)."""
    came = sorted(summary(e) for e in outs) + [f"DEAD_LETTER: {r[:80]}" for r in letters]
    outs = list(outs)
    for sent in group:
        if sent.request.want is not Want.INVALID:
            continue
        if _take_invalid(sent, outs) is None:
            req = sent.request
            want = " ".join(
                ["INVALID", req.error_type or "", f"naming {req.field!r}" if req.field else ""]
            ).replace("  ", " ")
            found.lack(f"{rid} ({req.label}): expected {want}; came {came}", 1, req.label)
    _judge_answers(rid, group, outs, came, found)


def _judge_letters(
    sent: Sequence[Sent],
    letters: Mapping[tuple[str, int, int], Mapping[str, Seen]],
    answered: Container[str],
    found: Findings,
) -> None:
    """One letter per record without a readable id; none for a request that got its outcome
    (one that got none shows its letter where its outcome is missing)."""
    for s in sent:
        at = letters.get((s.topic, s.partition, s.offset), {})
        if s.request.want is not Want.DEAD_LETTER:
            for letter in at.values():
                if s.request.rid in answered:
                    reason = letter.event.get("reason")
                    label = f"{s.request.rid} ({s.request.label})"
                    found.clash(
                        f"{label} dead-lettered ({reason}) besides its outcome",
                        1,
                        f"{s.request.label}, dead-lettered besides its outcome",
                    )
            continue
        where = f"{s.request.label} at {s.request.topic.value}/{s.partition}/{s.offset}"
        if not at:
            found.lack(
                f"no dead letter for {where} ({len(s.request.value)} bytes)", 1, s.request.label
            )
        elif len(at) > 1:
            found.clash(f"{len(at)} dead letters for {where}", len(at) - 1, s.request.label)
        for letter in at.values():
            for problem in check_letter(s, letter):
                found.clash(f"{where}: {problem}", 1, f"{s.request.label}: {problem}")


Vended = Mapping[str, Sequence[tuple[str, int]]]  # purchase id -> (meter, amount) of each vend


def _first(group: Sequence[Sent]) -> set[tuple[str, int]]:
    """(normalised meter, amount) of the copies of the earliest phase that must be answered."""
    answers = [s.request for s in group if s.request.want is Want.ANSWER and s.request.fingerprint]
    first = min((r.phase for r in answers), default=0)
    parts = [(r.fingerprint or "").split("|") for r in answers if r.phase == first]
    return {(p[1], int(p[2])) for p in parts}


def _judge_vends(groups: Mapping[str, list[Sent]], vended: Vended, found: Findings) -> None:
    """At most one vend per purchase id, none for a purchase whose every copy is refused, and
    the one vend is of a first request (a conflicting copy never replaces it)."""
    for rid, group in groups.items():
        if group[0].request.topic is not Topic.PURCHASE_REQUESTED:
            continue
        label = group[0].request.label
        due = 1 if any(s.request.want is Want.ANSWER for s in group) else 0
        vends = list(vended.get(rid, ()))
        if len(vends) > due:
            found.vend(f"purchase {rid} ({label}) vended {len(vends)}x, {due} due", label)
        elif vends and vends[0] not in _first(group):
            wrong = f"vended {vends[0]}, not the first request's {sorted(_first(group))}"
            found.vend(f"purchase {rid} ({label}) {wrong}", f"{label}, vended a copy's content")


def judge(sent: Iterable[Sent], records: Sequence[Seen], vends: Vended) -> Findings:
    """Compare everything published with everything that came back."""
    found = Findings()
    sent = list(sent)
    outcomes = outcomes_by_request(records, found)
    groups: dict[str, list[Sent]] = defaultdict(list)
    for s in sent:
        if s.request.rid is not None:
            groups[s.request.rid].append(s)
    letters = letters_by_source(records)
    reasons: dict[str, list[str]] = defaultdict(list)
    for s in sent:
        for letter in letters.get((s.topic, s.partition, s.offset), {}).values():
            reasons[s.request.rid or ""].append(str(letter.event.get("reason")))
    for rid, group in groups.items():
        outs = list(outcomes.get(rid, {}).values())
        judge_request(rid, group, outs, reasons.get(rid, []), found)
    _judge_letters(sent, letters, outcomes.keys(), found)
    _judge_vends(groups, vends, found)
    return found
