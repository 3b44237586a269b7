"""`make run`'s two example files agree: the switch reaches each simulated provider."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from adapters.ppu_v3.simulator.config import load_config as load_simulators
from service.config import load_config
from service.settings import DEFAULT_CONFIG_FILE

DEPLOY = DEFAULT_CONFIG_FILE.parent.parent


def test_every_switch_provider_is_a_simulated_provider_on_its_port() -> None:
    """Provider ids, ports and usernames in switch.toml match simulators.toml."""
    switch = load_config(DEFAULT_CONFIG_FILE)
    simulated = {
        p.provider_id: p for p in load_simulators(DEPLOY / "config/simulators.toml").providers
    }
    for provider in switch.providers:
        sim = simulated[provider.id]
        assert urlsplit(provider.base_url).port == sim.port
        assert provider.username == sim.username


def test_run_script_passes_each_simulated_password() -> None:
    """deploy/local/run.sh exports the password each simulated provider expects."""
    script = (DEPLOY / "local/run.sh").read_text()
    exported = dict(re.findall(r"PPU_PROVIDER_(\w+)_PASSWORD:-([^}]+)\}", script))
    for sim in load_simulators(DEPLOY / "config/simulators.toml").providers:
        assert sim.password is not None
        assert exported[sim.provider_id] == sim.password


def test_compose_points_the_switch_at_the_simulators_service() -> None:
    """The compose file overrides each provider's URL with the simulators container's port."""
    compose = (DEPLOY / "compose.yaml").read_text()
    for sim in load_simulators(DEPLOY / "config/simulators.toml").providers:
        assert f"PPU_PROVIDER_{sim.provider_id}_BASE_URL: http://simulators:{sim.port}/" in compose
    assert Path(DEPLOY / "Dockerfile").exists()
