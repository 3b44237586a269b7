"""Fixtures shared by the integration tests that run a whole switch."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

import pytest

from adapters.ppu_v3.simulator.config import SimProviderConfig
from tests.support.switch import RunningSwitch, running_switch


class SwitchFactory(Protocol):
    """Starts a switch over simulated providers: `async with switch(p1, p2) as sw`."""

    def __call__(
        self, *providers: SimProviderConfig, **options: Any
    ) -> AbstractAsyncContextManager[RunningSwitch]:
        """A running switch on this test's database and topics."""
        ...


@pytest.fixture
def switch(kafka_bootstrap: str, database_url: str, topic_prefix: str) -> SwitchFactory:
    """A factory of running switches bound to this test's Kafka topics and database."""

    def make(
        *providers: SimProviderConfig, **options: Any
    ) -> AbstractAsyncContextManager[RunningSwitch]:
        return running_switch(
            kafka_bootstrap=kafka_bootstrap,
            database_url=database_url,
            prefix=topic_prefix,
            providers=providers,
            **options,
        )

    return make
