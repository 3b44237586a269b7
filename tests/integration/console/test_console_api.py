"""The console's API and pages against real services: sign-in, CSRF, scope, hostile input."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import aiohttp
import asyncpg
import pytest
import yaml

from adapters.ppu_v3.simulator.config import UtilityCoverage
from schemas.v1.inputs import LookupRequested
from service.console.app import ROUTES
from service.topics import Topic
from tests.support.observed import (
    MALLORY,
    ObservedSwitch,
    new_client,
    observed_switch,
    sign_in,
)
from tests.support.switch import new_id, sim_provider

pytestmark = pytest.mark.integration

CITY = UtilityCoverage(utility_id="CPW", name="City Power", prefixes=["0412"])
TSHWANE = UtilityCoverage(utility_id="TSH", name="Tshwane Metro", prefixes=["0713"])
METER = "04120000201"


async def seen_meter(ob: ObservedSwitch, meter: str, institution: str = "INST") -> None:
    """Let the switch learn a meter through a lookup."""
    request = LookupRequested(
        event_id=uuid.uuid4(),
        occurred_at=datetime.now(UTC),
        lookup_id=new_id(),
        institution_id=institution,
        meter_number=meter,
    )
    await ob.sw.publish(Topic.LOOKUP_REQUESTED, request)
    await ob.sw.wait_for(Topic.LOOKUP_COMPLETED, lambda e: e["lookup_id"] == request.lookup_id)
    await ob.console_knows(institution, meter)


@pytest.fixture
async def ob(kafka_bootstrap: str, database_url: str, topic_prefix: str) -> Any:
    """A switch (P1 supports 0412..., P2 does not) with its console; METER already seen."""
    async with observed_switch(
        kafka_bootstrap=kafka_bootstrap,
        database_url=database_url,
        prefix=topic_prefix,
        providers=[sim_provider("P1", CITY), sim_provider("P2", TSHWANE)],
    ) as running:
        await seen_meter(running, METER)
        yield running


def _concrete(path: str) -> str:
    values = {
        "{meter_number}": METER,
        "{provider_id}": "P1",
        "{chart}": "latency",
        "{kind}": "purchase",
        "{transaction_id}": "x",
    }
    for name, value in values.items():
        path = path.replace(name, value)
    return path


async def test_nothing_is_readable_without_signing_in(ob: ObservedSwitch) -> None:
    """Every route but the sign-in form: 401 for the API, a redirect to /login for pages."""
    async with new_client() as http:
        for method, path, _ in ROUTES:
            if path == "/login":
                continue
            url = f"{ob.console_url}{_concrete(path)}"
            async with http.request(method, url, allow_redirects=False) as answer:
                if path.startswith("/api/"):
                    assert answer.status == 401, path
                    assert await answer.json() == {"error": "sign in first"}
                else:
                    assert answer.status == 303, path
                    assert answer.headers["Location"].startswith("/login?next=")


async def test_sign_in_sets_a_strict_http_only_cookie_and_refuses_wrong_passwords(
    ob: ObservedSwitch,
) -> None:
    """A wrong password or an unknown user gets the form again; success sets a safe cookie."""
    async with new_client() as http:
        with pytest.raises(AssertionError):
            await sign_in(http, ob.console_url, password="wrong")
        with pytest.raises(AssertionError):
            await sign_in(http, ob.console_url, who=("INST", "nobody"))
        await sign_in(http, ob.console_url)
        cookie = next(c for c in http.cookie_jar if c.key == "ppu_console_session")
        assert cookie["httponly"]
        assert cookie["samesite"] == "Strict"


async def test_changes_without_the_right_csrf_token_are_refused(ob: ObservedSwitch) -> None:
    """A missing or wrong token, or another session's token, gets 403 and publishes nothing."""
    rebroadcast = f"{ob.console_url}/api/meters/{METER}/rebroadcast"
    async with new_client() as http, new_client() as other:
        await sign_in(http, ob.console_url)
        theirs = await sign_in(other, ob.console_url, who=MALLORY)
        for headers in ({}, {"X-CSRF-Token": "forged"}, {"X-CSRF-Token": theirs}):
            async with http.post(rebroadcast, headers=headers) as answer:
                assert answer.status == 403
        form = f"{ob.console_url}/meters/{METER}/confirm-support"
        async with http.post(form, data={"csrf_token": ""}, allow_redirects=False) as answer:
            assert answer.status == 403
        async with http.post(f"{ob.console_url}/logout", allow_redirects=False) as answer:
            assert answer.status == 403
        async with http.get(f"{ob.console_url}/api/meters/{METER}") as answer:
            assert (await answer.json())["marked_for_rebroadcast"] is False
    assert not ob.sw.seen(Topic.REBROADCAST_FLAGS)


async def test_one_institution_cannot_act_in_another_s_name(ob: ObservedSwitch) -> None:
    """requested_by comes from the session, rows and audit are scoped, an altered cookie fails."""
    base = ob.console_url
    async with new_client() as http:
        token = await sign_in(http, base, who=MALLORY)
        async with http.get(f"{base}/api/meters/{METER}") as answer:
            assert answer.status == 404  # only INST has looked it up so far
        await seen_meter(ob, METER, "OTHER")
        async with http.get(f"{base}/api/meters/{METER}") as answer:
            mine = await answer.json()
        assert [p["provider_id"] for p in mine["providers"]] == ["P1"]  # OTHER enables P1 only
        body = {"requested_by": "INST/alice", "institution_id": "INST", "reason": "test"}
        headers = {"X-CSRF-Token": token}
        async with http.post(
            f"{base}/api/meters/{METER}/rebroadcast", json=body, headers=headers
        ) as answer:
            assert answer.status == 202
        (flag,) = await ob.sw.wait_for(Topic.REBROADCAST_FLAGS)
        assert flag["requested_by"] == "OTHER/mallory"
        async with http.get(f"{base}/api/audit") as answer:
            assert [e["actor"] for e in (await answer.json())["entries"]] == ["OTHER/mallory"]
        async with http.get(f"{base}/api/routing") as answer:
            routing = (await answer.json())["utilities"]
        assert all(not u["ranked"] for u in routing)  # INST's ranking is not OTHER's to see
        cookie = next(c for c in http.cookie_jar if c.key == "ppu_console_session").value
    forged = {"Cookie": f"ppu_console_session={cookie[:-2]}xx"}
    async with (
        aiohttp.ClientSession() as anyone,
        anyone.get(f"{base}/api/audit", headers=forged) as answer,
    ):
        assert answer.status == 401
    async with new_client() as alice:
        await sign_in(alice, base)
        async with alice.get(f"{base}/api/audit") as answer:
            assert (await answer.json())["entries"] == []


HOSTILE = [
    "0412' OR '1'='1",
    "'; DROP TABLE meters; --",
    "%",
    "_",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
]


async def test_search_strings_with_sql_or_html_are_harmless(ob: ObservedSwitch) -> None:
    """Hostile search text finds nothing, errors nowhere and comes back escaped."""
    base = ob.console_url
    async with new_client() as http:
        await sign_in(http, base)
        for text in HOSTILE:
            async with http.get(f"{base}/api/meters", params={"prefix": text}) as answer:
                assert answer.status == 200
                assert (await answer.json())["meters"] == []
            async with http.get(f"{base}/meters", params={"q": text}) as answer:
                page = await answer.text()
            assert answer.status == 200
            assert text not in page or text in {"%", "_"}
            async with http.get(f"{base}/meters/{text.replace('/', '')}") as answer:
                assert answer.status == 404
                assert "<script>alert" not in await answer.text()
        async with http.get(f"{base}/api/meters", params={"prefix": "0412 0000"}) as answer:
            assert [m["meter_number"] for m in (await answer.json())["meters"]] == [METER]


async def test_confirm_support_marks_the_meter_once_and_shows_it_marked(
    ob: ObservedSwitch,
) -> None:
    """The answer shows the flag and Unconfirmed for every provider not Supported."""
    base = ob.console_url
    async with new_client() as http:
        token = await sign_in(http, base)
        url = f"{base}/api/meters/{METER}/rebroadcast"
        async with http.post(url, headers={"X-CSRF-Token": token}) as answer:
            marked = await answer.json()
        assert marked["marked_for_rebroadcast"] is True
        assert marked["flag"]["requested_by"] == "INST/alice"
        statuses = {p["provider_id"]: p["status_label"] for p in marked["providers"]}
        assert statuses == {"P1": "Supported", "P2": "Unconfirmed"}
        async with http.post(url, headers={"X-CSRF-Token": token}) as again:
            assert again.status == 202
    (flag,) = await ob.sw.wait_for(Topic.REBROADCAST_FLAGS)
    assert (flag["action"], flag["meter_number"]) == ("MARK", METER)
    assert len(ob.sw.seen(Topic.REBROADCAST_FLAGS)) == 1


async def test_the_openapi_document_is_served_to_signed_in_users(ob: ObservedSwitch) -> None:
    """GET /api/openapi.yaml returns the checked-in document."""
    async with new_client() as http:
        await sign_in(http, ob.console_url)
        async with http.get(f"{ob.console_url}/api/openapi.yaml") as answer:
            document = yaml.safe_load(await answer.text())
    assert document["openapi"].startswith("3.")


async def test_a_session_past_its_absolute_end_is_refused_even_when_busy(
    ob: ObservedSwitch,
) -> None:
    """8 hours after sign-in the session ends, however recently it was used."""
    async with new_client() as http:
        await sign_in(http, ob.console_url)
        async with http.get(f"{ob.console_url}/api/session") as answer:
            assert answer.status == 200
        conn = await asyncpg.connect(ob.database_url)
        try:
            await conn.execute("UPDATE console_sessions SET expires_at = now() - interval '1 s'")
        finally:
            await conn.close()
        async with http.get(f"{ob.console_url}/api/session") as answer:
            assert answer.status == 401
