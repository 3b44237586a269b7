"""The README's configuration reference matches the code."""

from __future__ import annotations

import re
from pathlib import Path

from service.config import Institution, MeterPreference, ProviderEntry, SwitchRules, Utility
from service.engine.retention_settings import RetentionSettings
from service.engine.settings import EngineSettings, RelaySettings
from service.settings import Settings

README = (Path(__file__).resolve().parents[3] / "README.md").read_text()


NESTED = {"engine": EngineSettings, "relay": RelaySettings, "retention": RetentionSettings}


def test_every_setting_is_documented_with_its_default() -> None:
    """Each Settings field appears as PPU_<NAME> in the environment table."""
    for name, field in Settings.model_fields.items():
        if name in NESTED:
            continue
        row = re.search(rf"^\| `PPU_{name.upper()}` \| (.*?) \|", README, re.MULTILINE)
        assert row, f"PPU_{name.upper()} is missing from the README"
        if isinstance(field.default, int | str) and field.default != "":
            assert str(field.default) in row.group(1), f"PPU_{name.upper()}: default differs"


def test_every_engine_setting_is_documented_with_its_default() -> None:
    """Each PPU_ENGINE_* / PPU_RELAY_* / PPU_RETENTION_* field has a row with its default."""
    for prefix, model in NESTED.items():
        for name, field in model.model_fields.items():
            row = re.search(
                rf"^\| `PPU_{prefix.upper()}_{name.upper()}` \| `(.*?)` \|", README, re.M
            )
            assert row, f"PPU_{prefix.upper()}_{name.upper()} is missing from the README"
            assert row.group(1) == str(field.default)


def test_no_documented_setting_is_unknown_to_the_code() -> None:
    """A PPU_ variable in the service table names a real Settings field."""
    section = README.split("### Environment")[1].split("The stream engine's tuning")[0]
    documented = set(re.findall(r"^\| `PPU_([A-Z_]+)`", section, re.MULTILINE))
    assert documented == {n.upper() for n in Settings.model_fields if n not in NESTED}


def test_the_file_reference_names_every_key() -> None:
    """Each key of the rules, utilities and providers tables is in the file reference."""
    section = README.split("### The configuration file")[1]
    for model in (SwitchRules, Utility, ProviderEntry, Institution, MeterPreference):
        for key in model.model_fields:
            assert f"`{key}`" in section, f"{model.__name__}.{key} is not documented"


def test_console_and_signal_settings_are_documented() -> None:
    """Each PPU_CONSOLE_*, PPU_METRICS_*, PPU_HEALTH_* and PPU_TRACING_* setting has a row."""
    from service.console.settings import ConsoleSettings
    from service.observability.settings import HealthSettings, MetricsSettings
    from service.observability.tracing import TracingSettings

    for model in (ConsoleSettings, MetricsSettings, HealthSettings, TracingSettings):
        prefix = str(model.model_config.get("env_prefix"))
        for name in model.model_fields:
            assert f"| `{prefix}{name.upper()}` |" in README, f"{prefix}{name.upper()} missing"
