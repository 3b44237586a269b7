"""SRE signals against real Kafka, PostgreSQL and simulated providers: metrics and health."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import pytest

from adapters.ppu_v3.simulator.config import UtilityCoverage
from schemas.v1.inputs import LookupRequested
from schemas.v1.operations import Metrics
from service.topics import Topic
from tests.integration.observability.tcp_proxy import TcpProxy
from tests.support.observed import observed_switch, until
from tests.support.switch import new_id, sim_provider

pytestmark = pytest.mark.integration

CITY = UtilityCoverage(utility_id="CPW", name="City Power", prefixes=["0412"])
TSHWANE = UtilityCoverage(utility_id="TSH", name="Tshwane Metro", prefixes=["0713"])


def lookup(meter: str) -> LookupRequested:
    """A lookup request event for INST."""
    return LookupRequested(
        event_id=uuid.uuid4(),
        occurred_at=datetime.now(UTC),
        lookup_id=new_id(),
        institution_id="INST",
        meter_number=meter,
    )


def provider(snapshot: dict[str, Any], provider_id: str) -> dict[str, Any]:
    """One provider's entry of a metrics snapshot."""
    return next(p for p in snapshot["providers"] if p["provider_id"] == provider_id)


async def test_a_snapshot_on_ppu_metrics_carries_the_figures_of_a_provider_just_called(
    kafka_bootstrap: str, database_url: str, topic_prefix: str
) -> None:
    """After one broadcast lookup, ppu.metrics shows a request and its latency per provider."""
    async with observed_switch(
        kafka_bootstrap=kafka_bootstrap,
        database_url=database_url,
        prefix=topic_prefix,
        providers=[sim_provider("P1", CITY), sim_provider("P2", TSHWANE)],
    ) as ob:
        sw = ob.sw
        request = lookup("04120000101")
        await sw.publish(Topic.LOOKUP_REQUESTED, request)
        await sw.wait_for(Topic.LOOKUP_COMPLETED, lambda e: e["lookup_id"] == request.lookup_id)
        (snapshot,) = (
            await sw.wait_for(
                Topic.METRICS,
                lambda e: provider(e, "P1")["requests"] >= 1 and e["events_processed"] >= 1,
            )
        )[:1]
        p1 = provider(snapshot, "P1")
        assert (p1["successes"], p1["errors"], p1["timeouts"], p1["circuit"]) == (
            1,
            0,
            0,
            "CLOSED",
        )
        assert p1["latency_p50_ms"] > 0
        assert p1["latency_p99_ms"] >= p1["latency_p50_ms"]
        assert provider(snapshot, "P2")["failures"] == 1  # NOT_SUPPORTED is a definite answer
        topics = {t["topic"]: t for t in snapshot["topics"]}
        assert topics[sw.topic(Topic.LOOKUP_REQUESTED)]["processed"] == 1
        tables = {t["table"]: t for t in snapshot["tables"]}
        assert {"outbox", "processed_events", "purchases"} <= tables.keys()
        assert tables["outbox"]["bytes"] > 0
        Metrics.model_validate(snapshot)  # readers that know only the contract model
        sw.assert_outputs_match_schemas()


async def test_prometheus_exposition_counts_the_calls_and_the_events(
    kafka_bootstrap: str, database_url: str, topic_prefix: str
) -> None:
    """/metrics shows provider calls by operation and answer class, input records by outcome,
    event latency, ledger backlogs and the process's own figures."""
    async with observed_switch(
        kafka_bootstrap=kafka_bootstrap,
        database_url=database_url,
        prefix=topic_prefix,
        providers=[sim_provider("P1", CITY)],
    ) as ob:
        request = lookup("04120000102")
        await ob.sw.publish(Topic.LOOKUP_REQUESTED, request)
        await ob.sw.wait_for(Topic.LOOKUP_COMPLETED, lambda e: e["lookup_id"] == request.lookup_id)
        topic = ob.sw.topic(Topic.LOOKUP_REQUESTED)
        wanted = f'ppu_events_processed_total{{outcome="handled",topic="{topic}"}} 1.0'

        async def scraped() -> str | None:
            async with (
                aiohttp.ClientSession() as http,
                http.get(f"{ob.observed.health_url}/metrics") as response,
            ):
                text = await response.text()
            return text if wanted in text else None

        text = await until(scraped)
        assert 'ppu_provider_requests_total{operation="lookup",provider="P1"} 1.0' in text
        call = 'class="success",operation="lookup",provider="P1"'
        assert f"ppu_provider_answers_total{{{call}}} 1.0" in text
        assert 'ppu_provider_circuit_state{provider="P1",state="CLOSED"} 1.0' in text
        assert "# TYPE ppu_provider_request_duration_seconds histogram" in text
        assert f'ppu_event_latency_seconds_count{{topic="{topic}"}} 1.0' in text
        assert "ppu_ledger_read_ok 1.0" in text
        assert re.search(r"^ppu_outbox_backlog \d+\.0$", text, re.MULTILINE)  # rows relayed or not
        assert "process_resident_memory_bytes" in text
        assert "# TYPE ppu_table_bytes gauge" in text
        assert 'ppu_table_bytes{table="processed_events"} ' in text
        completed = ob.sw.topic(Topic.LOOKUP_COMPLETED)
        wanted = f'ppu_outputs_published_total{{outcome="FOUND",topic="{completed}"}} 1.0'
        assert await until(lambda: _scrape_has(ob.observed.health_url, wanted))


async def _scrape_has(url: str, wanted: str) -> bool | None:
    """Whether /metrics shows `wanted` now (None while it does not, for `until`)."""
    async with aiohttp.ClientSession() as http, http.get(f"{url}/metrics") as response:
        return True if wanted in await response.text() else None


async def _ready(url: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.get(f"{url}/readyz") as response:
        return response.status, await response.json()


def _through(database_url: str, port: int) -> str:
    parts = urlsplit(database_url)
    netloc = parts.netloc.rsplit("@", 1)
    auth = f"{netloc[0]}@" if len(netloc) == 2 else ""
    return urlunsplit(parts._replace(netloc=f"{auth}127.0.0.1:{port}"))


async def test_readyz_follows_postgresql_going_away_and_coming_back(
    kafka_bootstrap: str, database_url: str, topic_prefix: str
) -> None:
    """Ready with everything up; 503 naming PostgreSQL when it is unreachable; ready again."""
    target = urlsplit(database_url)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5432)
    await proxy.open()
    async with observed_switch(
        kafka_bootstrap=kafka_bootstrap,
        database_url=database_url,
        prefix=topic_prefix,
        providers=[sim_provider("P1", CITY)],
        health_database_url=_through(database_url, proxy.port),
    ) as ob:
        url = ob.observed.health_url
        async with aiohttp.ClientSession() as http, http.get(f"{url}/healthz") as alive:
            assert alive.status == 200
        await until(lambda: _status_is(url, 200))
        await proxy.close()
        _, body = await until(lambda: _status_is(url, 503))
        assert body["checks"]["postgres"]["ok"] is False
        assert body["checks"]["kafka"]["ok"] is True
        assert body["checks"]["consumer"]["ok"] is True
        assert "127.0.0.1" not in str(body)  # no connection details leak
        await proxy.open()
        _, body = await until(lambda: _status_is(url, 200))
        assert body["ready"] is True
    await proxy.close()


async def _status_is(url: str, wanted: int) -> tuple[int, dict[str, Any]] | None:
    status, body = await _ready(url)
    return (status, body) if status == wanted else None
