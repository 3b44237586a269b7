"""`python -m service dead-letters list|show|replay`: read letters, and replay what can be.

A replay republishes each original's bytes (key and headers too) to its source topic, with
headers linking back to the letter. The switch applies an event once whatever the number of
copies (processed event ids, purchase ids claimed once), so replaying twice applies nothing
twice; the tool still sends each original once per run.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections import Counter
from datetime import UTC, datetime

from service.deadletters.kafka_io import read_letters, replay
from service.deadletters.letters import DeadLetter, LetterError, LetterFilter
from service.deadletters.render import describe, row, summary
from service.settings import Settings
from service.topics import Topic

PROGRESS_FROM = 100  # replays at least this large report progress on stderr


def _when(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--topic", action="append", default=[], help="source topic (repeatable)")
    parser.add_argument("--reason", help="reason contains this text (any case)")
    parser.add_argument("--since", type=_when, help="failed at or after (ISO 8601, UTC default)")
    parser.add_argument("--until", type=_when, help="failed before (ISO 8601, UTC default)")
    parser.add_argument("--limit", type=int, help="at most this many letters (oldest first)")
    parser.add_argument("--id", action="append", default=[], help="letter id or its prefix")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `dead-letters` and its three commands to the main parser."""
    text = "list, show and replay the records on ppu.dead-letter"
    top = sub.add_parser("dead-letters", help=text, description=text)
    commands = top.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = commands.add_parser("list", help="one line per letter, oldest first")
    _filters(listing)
    show = commands.add_parser("show", help="one letter in full, with its decoded original")
    show.add_argument("letter_id", help="letter id or its prefix")
    again = commands.add_parser("replay", help="republish originals to their source topics")
    _filters(again)
    again.add_argument("--dry-run", action="store_true", help="say what would be replayed")
    again.add_argument("--yes", action="store_true", help="no confirmation prompt (scripts)")


def _selector(args: argparse.Namespace) -> LetterFilter:
    return LetterFilter(
        topics=frozenset(args.topic),
        reason=args.reason,
        since=args.since,
        until=args.until,
        ids=frozenset(args.id),
        limit=args.limit,
    )


async def _select(settings: Settings, selector: LetterFilter) -> list[DeadLetter]:
    def bad(exc: LetterError) -> None:
        print(f"skipped unreadable record {exc}", file=sys.stderr)

    chosen: dict[str, DeadLetter] = {}  # a letter re-sent after a crash keeps its id
    topic = f"{settings.topic_prefix}{Topic.DEAD_LETTER.value}"
    async for letter in read_letters(bootstrap=settings.kafka_bootstrap, topic=topic, on_bad=bad):
        if selector.matches(letter, topic_prefix=settings.topic_prefix):
            chosen.setdefault(letter.letter_id, letter)
    letters = sorted(chosen.values(), key=lambda x: (x.occurred_at, x.position))
    return letters if selector.limit is None else letters[: selector.limit]


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run one dead-letters command; the exit status."""
    if args.action == "show":
        letters = await _select(settings, LetterFilter(ids=frozenset({args.letter_id})))
        if len(letters) != 1:
            print(f"{len(letters)} letters match {args.letter_id!r}: give one", file=sys.stderr)
            return 1
        print(describe(letters[0]))
        return 0
    letters = await _select(settings, _selector(args))
    if args.action == "list":
        for letter in letters:
            print(row(letter))
        print(summary(letters))
        return 0
    return await _replay(args, settings, letters)


def _distinct(letters: list[DeadLetter]) -> list[DeadLetter]:
    # The same original dead-lettered twice (a replay that failed again) is sent once.
    seen: set[tuple[str, bytes | None, str]] = set()
    kept = []
    for letter in letters:
        digest = hashlib.sha256(letter.value or b"").hexdigest()
        if (mark := (letter.source_topic, letter.key, digest)) not in seen:
            seen.add(mark)
            kept.append(letter)
    return kept


def _confirmed(count: int, topics: Counter[str], *, yes: bool) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        print("not a terminal: add --yes to replay without a prompt", file=sys.stderr)
        return False
    where = ", ".join(f"{n} to {t}" for t, n in sorted(topics.items()))
    answer = input(f"Replay {count} letter(s) ({where})? [y/N] ")
    return answer.strip().lower() in {"y", "yes"}


async def _replay(args: argparse.Namespace, settings: Settings, letters: list[DeadLetter]) -> int:
    refused = [(x, why) for x in letters if (why := x.unreplayable()) is not None]
    for letter, why in refused:
        print(f"cannot replay {letter.letter_id}: {why}", file=sys.stderr)
    ready = _distinct([x for x in letters if x.unreplayable() is None])
    topics = Counter(x.source_topic for x in ready)
    if args.dry_run:
        for letter in ready:
            print(f"would replay {row(letter)}")
        print(f"dry run: {len(ready)} to replay, {len(refused)} cannot be replayed")
        return 1 if refused else 0
    if not ready:
        print(f"nothing to replay; {len(refused)} cannot be replayed")
        return 1 if refused else 0
    if not _confirmed(len(ready), topics, yes=args.yes):
        print("nothing replayed")
        return 1

    def progress(done: int, total: int) -> None:
        if total >= PROGRESS_FROM:
            print(f"replayed {done}/{total}", file=sys.stderr, flush=True)

    sent = await replay(ready, bootstrap=settings.kafka_bootstrap, progress=progress)
    print(f"replayed {sent} letter(s); {len(refused)} cannot be replayed")
    return 1 if refused else 0
