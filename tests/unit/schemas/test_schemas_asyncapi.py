"""The AsyncAPI 3.0 document lists every topic of the contract, its key and its payload."""

from pathlib import Path
from typing import Any

import yaml

from schemas import CONTRACTS, Direction

DOC_PATH = Path(__file__).resolve().parents[3] / "schemas" / "asyncapi.yaml"


def _doc() -> dict[str, Any]:
    loaded = yaml.safe_load(DOC_PATH.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _resolve(doc: dict[str, Any], ref: str) -> dict[str, Any]:
    assert ref.startswith("#/"), ref
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part]
    assert isinstance(node, dict)
    return node


def test_document_is_asyncapi_3() -> None:
    """The document declares AsyncAPI 3.0.0 and JSON content."""
    doc = _doc()
    assert doc["asyncapi"] == "3.0.0"
    assert doc["defaultContentType"] == "application/json"
    assert doc["info"]["title"]


def test_every_topic_has_a_channel_with_key_and_existing_payload() -> None:
    """Each contract topic is a channel whose message has a Kafka key and a real schema file."""
    doc = _doc()
    by_address = {c["address"]: c for c in doc["channels"].values()}
    assert set(by_address) == set(CONTRACTS)
    for topic, contract in CONTRACTS.items():
        channel = by_address[topic]
        assert channel["bindings"]["kafka"]["topic"] == topic
        (message_ref,) = [m["$ref"] for m in channel["messages"].values()]
        message = _resolve(doc, message_ref)
        assert message["bindings"]["kafka"]["key"]["description"] == contract.key
        payload_ref = message["payload"]["$ref"]
        assert payload_ref == f"./jsonschema/{topic}.json"
        assert (DOC_PATH.parent / payload_ref).is_file(), payload_ref


def test_operations_match_directions() -> None:
    """The switch receives the inputs and sends the outputs (both on rebroadcast flags)."""
    doc = _doc()
    actions: dict[str, set[str]] = {}
    for operation in doc["operations"].values():
        channel = _resolve(doc, operation["channel"]["$ref"])
        actions.setdefault(channel["address"], set()).add(operation["action"])
        for message in operation["messages"]:
            _resolve(doc, message["$ref"])
    expected = {
        Direction.INPUT: {"receive"},
        Direction.OUTPUT: {"send"},
        Direction.BOTH: {"receive", "send"},
    }
    assert actions == {t: expected[c.direction] for t, c in CONTRACTS.items()}
