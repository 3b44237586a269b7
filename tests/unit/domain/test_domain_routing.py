"""Rules 7 and 17: routing order and weighted load balancing among unranked providers."""

from collections import Counter

from service.domain.routing import (
    ProviderAvailability,
    RoutingPreferences,
    SkipReason,
    next_provider,
    plan_route,
)
from service.domain.support import SupportStatus
from service.domain.weighted import weighted_order

SUP = SupportStatus.SUPPORTED
ALL_SUPPORTED = dict.fromkeys(["A", "B", "C", "D", "E"], SUP)


def _providers(*ids: str, **weights: int) -> list[ProviderAvailability]:
    return [ProviderAvailability(provider_id=p, weight=weights.get(p, 1)) for p in ids]


def test_meter_preference_then_ranks_then_weighted_rest() -> None:
    """Rule 7: meter preference first, then ranked by rank, then unranked providers."""
    plan = plan_route(
        providers=_providers("A", "B", "C", "D"),
        support=ALL_SUPPORTED,
        preferences=RoutingPreferences(meter_preference="D", ranked=("C", "A")),
        key="purchase-1",
    )
    assert plan.order[:3] == ("D", "C", "A")
    assert plan.order[3:] == ("B",)
    assert plan.provider == "D"


def test_unavailable_rank_one_falls_to_rank_two() -> None:
    """Rule 7: if rank 1 is unavailable (circuit open), rank 2 is routed."""
    providers = [
        ProviderAvailability(provider_id="A", circuit_closed=False),
        ProviderAvailability(provider_id="B"),
    ]
    plan = plan_route(
        providers=providers,
        support=ALL_SUPPORTED,
        preferences=RoutingPreferences(ranked=("A", "B")),
        key="k",
    )
    assert plan.order == ("B",)
    assert plan.skipped == {"A": SkipReason.CIRCUIT_OPEN}


def test_never_routes_to_excluded_disabled_unhealthy_or_unsupported() -> None:
    """Rule 7: exclusions, disabled, unhealthy and not-SUPPORTED providers are never routed."""
    providers = [
        ProviderAvailability(provider_id="A"),
        ProviderAvailability(provider_id="B", enabled=False),
        ProviderAvailability(provider_id="C", healthy=False),
        ProviderAvailability(provider_id="D"),
        ProviderAvailability(provider_id="E"),
    ]
    support = {"A": SUP, "B": SUP, "C": SUP, "D": SupportStatus.UNCONFIRMED, "E": SUP}
    plan = plan_route(
        providers=providers,
        support=support,
        preferences=RoutingPreferences(
            meter_preference="E", ranked=("E",), excluded=frozenset("E")
        ),
        key="k",
    )
    assert plan.order == ("A",)
    assert plan.skipped == {
        "B": SkipReason.DISABLED,
        "C": SkipReason.UNHEALTHY,
        "D": SkipReason.NOT_SUPPORTED,
        "E": SkipReason.EXCLUDED,
    }


def test_zero_weight_disables_load_balancing_but_not_a_ranking() -> None:
    """Rule 17: weight 0 takes an unranked provider out; an explicit rank still routes it."""
    unranked = plan_route(
        providers=_providers("A", "B", A=0),
        support=ALL_SUPPORTED,
        preferences=RoutingPreferences(),
        key="k",
    )
    ranked = plan_route(
        providers=_providers("A", "B", A=0),
        support=ALL_SUPPORTED,
        preferences=RoutingPreferences(ranked=("A",)),
        key="k",
    )
    assert unranked.order == ("B",)
    assert unranked.skipped == {"A": SkipReason.ZERO_WEIGHT}
    assert ranked.order[0] == "A"


def test_weighted_choice_follows_weights() -> None:
    """Rule 17: over many purchases the first pick is proportional to the weights."""
    weights = {"A": 50, "B": 30, "C": 20}
    firsts = Counter(weighted_order(weights, key=f"purchase-{i}")[0] for i in range(20_000))
    for provider, weight in weights.items():
        assert abs(firsts[provider] / 20_000 - weight / 100) < 0.015


def test_weighted_choice_is_deterministic_per_key() -> None:
    """Rule 17: the same key gives the same order; different keys spread the load."""
    weights = {"A": 1, "B": 1, "C": 1}
    assert weighted_order(weights, key="x") == weighted_order(weights, key="x")
    orders = {weighted_order(weights, key=str(i)) for i in range(50)}
    assert len(orders) > 1
    assert all(sorted(o) == ["A", "B", "C"] for o in orders)


def test_next_provider_skips_those_tried() -> None:
    """Rule 9: the failover order is the route without the providers already tried."""
    assert next_provider(("A", "B", "C"), {"A"}) == "B"
    assert next_provider(("A", "B"), {"A", "B"}) is None
