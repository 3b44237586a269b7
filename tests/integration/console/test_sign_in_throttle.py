"""Sign-in throttling per client address, against a real PostgreSQL: many usernames from one
address are throttled too, and parallel guesses count against each other."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import pytest

from adapters.ppu_v3.simulator.config import UtilityCoverage
from service.console.settings import ConsoleSettings
from tests.support.observed import ObservedSwitch, new_client, observed_switch
from tests.support.switch import sim_provider

pytestmark = pytest.mark.integration

CITY = UtilityCoverage(utility_id="CPW", name="City Power", prefixes=["0412"])


@pytest.fixture
async def ob(
    kafka_bootstrap: str, database_url: str, topic_prefix: str
) -> AsyncIterator[ObservedSwitch]:
    """A console that allows 4 failed sign-ins per address."""
    async with observed_switch(
        kafka_bootstrap=kafka_bootstrap,
        database_url=database_url,
        prefix=topic_prefix,
        providers=[sim_provider("P1", CITY)],
        console=ConsoleSettings(port=0, sign_in_max_per_address=4),
    ) as running:
        yield running


async def _attempt(base: str, username: str) -> tuple[int, str]:
    async with new_client() as http:
        async with http.get(f"{base}/login") as form:
            found = re.search(r'name="csrf_token" value="([^"]+)"', await form.text())
        assert found
        fields = {
            "csrf_token": found.group(1),
            "institution": "INST",
            "username": username,
            "password": "wrong password",
        }
        async with http.post(f"{base}/login", data=fields, allow_redirects=False) as answer:
            return answer.status, await answer.text()


async def test_parallel_guesses_from_one_address_are_throttled_after_the_limit(
    ob: ObservedSwitch,
) -> None:
    """Twelve parallel wrong sign-ins under different names: four are checked, eight wait."""
    answers = await asyncio.gather(*(_attempt(ob.console_url, f"guess{i}") for i in range(12)))
    statuses = sorted(status for status, _ in answers)
    assert statuses == [401] * 4 + [429] * 8
    throttled = next(text for status, text in answers if status == 429)
    assert "Try again in 15 minutes" in throttled
    assert 'value="INST"' in throttled
