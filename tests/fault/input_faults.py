"""Scenarios 4-6: three instances with kills, 5,000 bad records among valid ones, and copies of
purchase ids on other keys with the same and with different content."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import replace
from random import Random

from service.topics import Topic
from tests.fault.bad_records import draw_specs, to_request
from tests.fault.context import Ctx, Scenario
from tests.fault.expect import Request, Want
from tests.fault.load import meters, purchase, valid_stream
from tests.fault.scene import Scene, Setup

NEAR_LIMIT = 1_000_000  # bytes: close to the broker's default 1 MiB message.max.bytes


async def instances(ctx: Ctx, sc: Scene, rng: Random) -> None:
    """Kill one of three instances every few seconds while a stream is served."""
    requests = valid_stream(rng, 600)
    publishing = asyncio.create_task(sc.publish(requests, rate=30))
    deadline = time.monotonic() + 60
    kills = 0
    while (not publishing.done() or kills < 5) and time.monotonic() < deadline:
        await asyncio.sleep(rng.uniform(2.5, 4.5))
        index = rng.randrange(len(sc.switches))
        async with sc.fault(f"SIGKILL instance {index}"):
            await sc.switches[index].kill()
            await asyncio.sleep(rng.uniform(0.2, 1.5))
            await sc.switches[index].start()
        kills += 1
    await publishing
    await sc.drain(90)


def _near_limit(rng: Random) -> Request:
    """A purchase padded to just under the broker's limit: refused at the door, letter cut."""
    pid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    record = {
        "event_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "occurred_at": "2026-11-30T08:00:00Z",
        "purchase_id": pid,
        "institution_id": "INST",
        "meter_number": "04129999999",
        "amount": {"value": 1000, "currency": "ZAR"},
    }
    head = json.dumps(record)
    value = (head[:-1] + ', "note": "' + "n" * (NEAR_LIMIT - len(head) - 12) + '"}').encode()
    return Request(
        label="purchase near the broker's size limit",
        topic=Topic.PURCHASE_REQUESTED,
        key=b"04129999999",
        value=value,
        want=Want.DEAD_LETTER,
        rid=pid,
    )


def _reuse(rng: Random, original: Request) -> Request:
    """The original's event id on different content (a new id): answered INVALID."""
    record = json.loads(original.value)
    purchase_kind = original.topic is Topic.PURCHASE_REQUESTED
    id_field = "purchase_id" if purchase_kind else "lookup_id"
    new_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    record[id_field] = new_id if purchase_kind else f"R-{new_id}"
    return replace(
        original,
        label=f"{'purchase' if purchase_kind else 'lookup'} reusing an event id",
        value=json.dumps(record).encode(),
        want=Want.INVALID,
        rid=record[id_field],
        error_type="EVENT_ID_REUSED" if purchase_kind else None,
        field=None if purchase_kind else "event_id|event id",
        phase=1,
    )


async def bad_records(ctx: Ctx, sc: Scene, rng: Random) -> None:
    """5,000 bad records among 500 valid ones; then event ids reused and identical replays."""
    started = time.monotonic()
    bad = [to_request(spec, rng) for spec in draw_specs(ctx.seed, 5000)]
    sc.say(f"generated {len(bad)} bad records in {time.monotonic() - started:.1f}s")
    valid = valid_stream(rng, 500)
    mixed = [*bad, *valid, _near_limit(rng)]
    rng.shuffle(mixed)
    await sc.publish(mixed, rate=1000, budget_s=150)
    await sc.wait_for(1.0, timeout_s=60, stall_s=10)
    later = [_reuse(rng, r) for r in valid[:120]]
    later += [
        replace(r, want=Want.NOTHING, label="identical replay", phase=1) for r in valid[120:180]
    ]
    await sc.publish(later, rate=200)
    await sc.drain(60)


def _copies(rng: Random, original: Request, meter: str, other: str, variant: int) -> list[Request]:
    """Copies of one purchase id: same fingerprint (same or dashed/spaced meter, another key)
    or a different one (another meter, amount or institution)."""
    pid = original.rid
    dashed = f"{meter[:4]}-{meter[4:7]}-{meter[7:]}"
    spaced = f" {meter[:4]} {meter[4:7]} {meter[7:]} "
    same = {
        0: [("same content, new event id", meter, 2000, "INST")],
        1: [("dashed meter, another key", dashed, 2000, "INST")],
        2: [("spaced meter, another key", spaced, 2000, "INST")],
        3: [("another meter", other, 2000, "INST")],
        4: [("another amount", meter, 3000, "INST")],
        5: [("another institution", meter, 2000, "INST2")],
        6: [("dashed meter and another amount", dashed, 2500, "INST")],
        7: [("dashed meter", dashed, 2000, "INST"), ("another meter", other, 2000, "INST")],
    }[variant]
    return [
        purchase(rng, m, amount, purchase_id=pid, institution=inst, label=f"copy: {label}")
        for label, m, amount, inst in same
    ]


async def duplicates(ctx: Ctx, sc: Scene, rng: Random) -> None:
    """Copies of 48 purchase ids: half published with the original, half after its outcome."""
    pool = meters(rng, 100)
    now: list[Request] = []
    later: list[Request] = []
    for i in range(48):
        original = purchase(rng, pool[i], 2000, label=f"purchase with copies (variant {i % 8})")
        copies = _copies(rng, original, pool[i], pool[50 + i], i % 8)
        if i < 24:
            now += [original, *(replace(c, label=f"concurrent {c.label}") for c in copies)]
        else:
            now.append(original)
            later += [replace(c, phase=1, label=f"later {c.label}") for c in copies]
    await sc.publish(now, rate=200)
    await sc.wait_for(1.0, timeout_s=60, stall_s=10)
    await sc.publish(later, rate=100)
    await sc.drain(60)


async def _local(ctx: Ctx) -> Setup:
    return ctx.setup()


async def _three(ctx: Ctx) -> Setup:
    return ctx.setup(instances=3)


SCENARIOS = [
    Scenario("instances", "three instances, one SIGKILLed every few seconds", _three, instances),
    Scenario("bad-records", "5,000 generated bad records among valid ones", _local, bad_records),
    Scenario(
        "duplicates",
        "purchase-id copies: concurrent and later, same and other content",
        _local,
        duplicates,
    ),
]
