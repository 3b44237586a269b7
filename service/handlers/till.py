"""What a till shows before a sale, from one provider's lookup answer (contract v1.1).

The routed provider's answer is used when it answered; otherwise the first provider in routing
order that answered, then any that did (by id). The figures come from that one answer, never
mixed across providers, and each stays null when that provider did not send it (rule 15).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from schemas.v1.base import Money as WireMoney
from service.domain.provider_results import MeterInfo
from service.handlers.receipt import wire_money


@dataclass(frozen=True, kw_only=True)
class TillDetails:
    """Min and max purchase amount, arrears, free units due, and who said so."""

    provider_id: str | None = None
    min_amount: WireMoney | None = None
    max_amount: WireMoney | None = None
    arrears: WireMoney | None = None
    free_units_due: bool | None = None


def answering_provider(
    infos: Mapping[str, MeterInfo], *, routed: str | None, order: Sequence[str]
) -> str | None:
    """The routed provider if it answered, else the first answering one in routing order."""
    for provider_id in (*([routed] if routed else []), *order, *sorted(infos)):
        if provider_id in infos:
            return provider_id
    return None


def till_details(
    infos: Mapping[str, MeterInfo], *, routed: str | None, order: Sequence[str]
) -> TillDetails:
    """The lookup extras of one answering provider; all null when none answered."""
    provider_id = answering_provider(infos, routed=routed, order=order)
    if provider_id is None:
        return TillDetails()
    info = infos[provider_id]
    return TillDetails(
        provider_id=provider_id,
        min_amount=wire_money(info.min_amount),
        max_amount=wire_money(info.max_amount),
        arrears=wire_money(info.arrears),
        free_units_due=info.free_units_due,
    )
