"""The topic registry names every topic of the v1 contract with its model."""

import pytest

from schemas import CONTRACTS, TOPIC_MODELS, Direction, model_for
from schemas.v1 import MeterBlocked, PurchaseRequested, RebroadcastFlag
from service.topics import INPUTS, Topic

DESIGN_TOPICS = {
    "ppu.lookup.requested",
    "ppu.purchase.requested",
    "ppu.rebroadcast.flags",
    "ppu.lookup.completed",
    "ppu.token.issued",
    "ppu.meter.blocked",
    "ppu.purchase.failed",
    "ppu.support.updated",
    "ppu.metrics",
    "ppu.dead-letter",
}

FIXED_FIELDS = {
    "ppu.lookup.completed": {
        "lookup_id",
        "institution_id",
        "meter_number",
        "outcome",
        "utility",
        "customer",
        "providers",
        "routed_provider_id",
        "broadcast",
    },
    "ppu.token.issued": {
        "purchase_id",
        "institution_id",
        "meter_number",
        "settlement_entity",
        "receiver",
        "amount",
        "tokens",
        "vat",
        "issued_at",
    },
    "ppu.meter.blocked": {
        "meter_number",
        "institution_id",
        "purchase_id",
        "reason",
        "providers",
        "blocked",
    },
    "ppu.purchase.failed": {
        "purchase_id",
        "institution_id",
        "meter_number",
        "outcome",
        "provider_id",
        "error",
    },
    "ppu.support.updated": {
        "meter_number",
        "provider_id",
        "status",
        "last_response_at",
        "cause",
    },
    "ppu.rebroadcast.flags": {"meter_number", "action", "requested_by", "reason"},
}


def test_registry_covers_the_contract_and_the_service_topics() -> None:
    """Every DESIGN.md topic, and every topic the service creates, has a model."""
    assert set(TOPIC_MODELS) == DESIGN_TOPICS
    assert set(TOPIC_MODELS) == {t.value for t in Topic}
    inputs = {t for t, c in CONTRACTS.items() if c.direction is not Direction.OUTPUT}
    assert inputs == {t.value for t in INPUTS}


def test_model_for_returns_the_payload_model() -> None:
    """Lookup by default topic name gives the pydantic model; unknown topics say so."""
    assert model_for("ppu.purchase.requested") is PurchaseRequested
    assert model_for("ppu.meter.blocked") is MeterBlocked
    assert CONTRACTS["ppu.rebroadcast.flags"].model is RebroadcastFlag
    with pytest.raises(KeyError, match=r"ppu\.nope"):
        model_for("ppu.nope")


def test_fixed_field_names_are_present() -> None:
    """The field names DESIGN.md fixes exist on the models (never renamed or dropped)."""
    for topic, names in FIXED_FIELDS.items():
        fields = set(TOPIC_MODELS[topic].model_fields)
        assert names | {"event_id", "occurred_at"} <= fields, topic
