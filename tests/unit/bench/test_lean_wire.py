"""The lean peer's provider side: bodies the simulator accepts, targets from the switch's file."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from adapters.ppu_v3.simulator.checks import violations
from adapters.ppu_v3.simulator.config import Operation
from adapters.ppu_v3.transport import basic_auth
from tests.bench.configs import FAULTY_PROVIDER, PROVIDERS, USERNAME, BenchTopology, switch_toml
from tests.bench.lean_wire import (
    DECLINED,
    NOT_SUPPORTED,
    OK,
    UNCONFIRMED,
    classify,
    load_targets,
    request_body,
)


def test_lookup_body_passes_the_simulators_request_checks() -> None:
    """A lookup body has every mandatory Transaction field, the meter and our reference."""
    wire_id = str(uuid.uuid4())
    body = json.loads(
        request_body(wire_id=wire_id, institution="BENCH", meter="11000000001", ref="lookup-1")
    )
    assert violations(Operation.LOOKUP, body) == []
    assert body["id"] == wire_id
    assert body["meter"] == {"meterId": "11000000001"}
    assert body["thirdPartyIdentifiers"][0]["transactionIdentifier"] == "lookup-1"
    assert body["time"].endswith("Z")
    assert "purchaseAmount" not in body


def test_purchase_body_carries_the_amount_in_numeric_rand() -> None:
    """A purchase body adds purchaseAmount with ISO 4217 710 and passes the purchase checks."""
    body = json.loads(
        request_body(
            wire_id="p-1", institution="BENCH", meter="12000000002", ref="p-1", amount_cents=5000
        )
    )
    assert violations(Operation.PURCHASE, body) == []
    assert body["purchaseAmount"] == {"amount": 5000, "currency": "710"}


def test_answers_are_reduced_to_the_outcome_the_output_needs() -> None:
    """2xx is OK, UNKNOWN_METER_ID is not supported, other 400s decline, the rest unconfirmed."""
    assert classify(201, b'{"utility": {"name": "North"}}') == (OK, {"utility": {"name": "North"}})
    assert classify(400, b'{"errorType": "UNKNOWN_METER_ID"}')[0] == NOT_SUPPORTED
    assert classify(400, b'{"errorType": "INVALID_AMOUNT"}')[0] == DECLINED
    assert classify(504, b"")[0] == UNCONFIRMED
    assert classify(500, b"not json") == (UNCONFIRMED, {})
    assert classify(201, b"[1, 2]") == (OK, {})


def test_targets_come_from_the_switch_file_with_passwords_from_the_environment(
    tmp_path: Path,
) -> None:
    """Same providers, order, URLs, timeouts and connection limit as the switch; Basic auth."""
    topo = BenchTopology(
        ports={pid: 18600 + n for n, (pid, *_) in enumerate(PROVIDERS)},
        password="secret",
        latency_ms=50.0,
        faulty_timeout_s=1.0,
        max_connections=64,
    )
    config = tmp_path / "switch.toml"
    config.write_text(switch_toml(topo))
    targets = load_targets(config, topo.password_env())
    assert [t.provider_id for t in targets] == [pid for pid, *_ in PROVIDERS]
    first = targets[0]
    assert first.lookup_url == "http://127.0.0.1:18600/prepaidutility/v3/meterLookups/"
    assert first.purchase_url == "http://127.0.0.1:18600/prepaidutility/v3/tokenPurchases/"
    assert first.headers["Authorization"] == basic_auth(USERNAME, "secret")
    assert first.max_connections == 64
    timeouts = {t.provider_id: t.lookup_timeout.total for t in targets}
    assert timeouts[FAULTY_PROVIDER] == 1.0
    assert first.lookup_timeout.total == 5.0
    assert first.purchase_timeout.total == 10.0
