"""One event's route is planned once while nothing it depends on changes, and anew when it does."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import pytest

from service.domain.provider_results import CircuitState
from service.domain.support import MeterSupport, ProviderSupport, SupportStatus
from service.handlers import lookup_run
from service.handlers.directory import Directory
from service.handlers.lookup_run import LookupRun
from service.ports.routing import StoredRouting, UtilityPreferences
from tests.support.configs import three_providers


@dataclass
class Breaker:
    """Just the part of a provider port that routing reads."""

    circuit_state: CircuitState = CircuitState.CLOSED


def _meter(*supported: str) -> MeterSupport:
    return MeterSupport(
        meter_number="01234567890",
        utility_id="COJ",
        providers=tuple(
            ProviderSupport(provider_id=p, status=SupportStatus.SUPPORTED) for p in supported
        ),
    )


@pytest.fixture
def planned(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys of the routes actually planned (not answered from memory)."""
    calls: list[str] = []
    real = lookup_run.plan_route

    def counting(**kwargs: Any) -> Any:
        calls.append(kwargs["key"])
        return real(**kwargs)

    monkeypatch.setattr(lookup_run, "plan_route", counting)
    return calls


def test_the_same_question_is_planned_once_and_each_change_plans_again(
    planned: list[str],
) -> None:
    config = three_providers()
    directory = Directory(config)
    breakers = {p: Breaker() for p in ("P1", "P2", "P3")}
    run = LookupRun(
        directory=directory,
        providers=breakers,
        clock=lambda: datetime.now(UTC),  # type: ignore[arg-type]
    )
    inst = config.institutions[0]
    first = run.route(_meter("P1", "P2"), inst, key="lookup-1")
    assert run.route(_meter("P1", "P2"), inst, key="lookup-1") == first
    assert planned == ["lookup-1"]

    run.route(_meter("P1", "P2"), inst, key="lookup-2")  # another event's weighted draw
    assert planned == ["lookup-1", "lookup-2"]

    assert run.route(_meter("P2"), inst, key="lookup-1").order == ("P2",)  # support changed
    assert len(planned) == 3

    breakers["P2"].circuit_state = CircuitState.OPEN
    assert run.route(_meter("P1", "P2"), inst, key="lookup-1").order == ("P1",)
    assert len(planned) == 4

    breakers["P2"].circuit_state = CircuitState.CLOSED
    directory.use_stored_routing(
        {
            "INST": StoredRouting(
                utilities={"COJ": UtilityPreferences(ranked=("P2",), excluded=frozenset())},
                meters={},
            )
        }
    )
    assert run.route(_meter("P1", "P2"), inst, key="lookup-1").order[0] == "P2"
    assert len(planned) == 5


def test_a_broadcast_plan_plans_no_route_and_a_routed_one_plans_it(planned: list[str]) -> None:
    config = three_providers()
    now = datetime.now(UTC)
    run = LookupRun(
        directory=Directory(config),
        providers={p: Breaker() for p in ("P1", "P2", "P3")},  # type: ignore[misc]
        clock=lambda: now,
    )
    inst = config.institutions[0]
    unknown = run.plan(None, inst, key="lookup-1")
    assert unknown.broadcast
    assert unknown.providers == ("P1", "P2", "P3")
    assert planned == []
    known = replace(_meter("P2"), last_broadcast_at=now)
    routed = run.plan(known, inst, key="lookup-2")
    assert not routed.broadcast
    assert routed.providers == ("P2",)
    assert planned == ["lookup-2"]
