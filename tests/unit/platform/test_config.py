"""The configuration file: the example stays valid, secrets and dangling references refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from service.config import ConfigError, load_config
from service.settings import DEFAULT_CONFIG_FILE, Settings

MINIMAL = """
[[providers]]
id = "P1"
name = "One"
base_url = "http://127.0.0.1:1/"
username = "u"

[[institutions]]
id = "I1"
name = "Inst"
enabled_providers = ["P1"]
"""


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "switch.toml"
    path.write_text(text)
    return path


def test_the_example_configuration_is_valid() -> None:
    """deploy/config/switch.toml, which `make run` uses, loads and cross-checks."""
    config = load_config(DEFAULT_CONFIG_FILE)
    assert {p.id for p in config.providers} >= set(config.institutions[0].enabled_providers)
    assert config.rules.coverage_window_days == 30


def test_a_password_in_the_file_is_refused(tmp_path: Path) -> None:
    """Secrets belong in the environment; the error names the offending key."""
    text = MINIMAL.replace('username = "u"', 'username = "u"\npassword = "hunter2"')
    with pytest.raises(ConfigError, match=r"providers\.0\.password") as err:
        load_config(_file(tmp_path, text))
    assert "hunter2" not in str(err.value)


def test_a_reference_to_an_unknown_provider_is_refused(tmp_path: Path) -> None:
    """An institution enabling a provider that is not configured is caught at start."""
    text = MINIMAL.replace('enabled_providers = ["P1"]', 'enabled_providers = ["P1", "P9"]')
    with pytest.raises(ConfigError, match="unknown provider P9"):
        load_config(_file(tmp_path, text))


def test_a_missing_file_names_the_setting(tmp_path: Path) -> None:
    """A wrong path says which file and which variable sets it."""
    with pytest.raises(ConfigError, match="PPU_CONFIG_FILE"):
        load_config(tmp_path / "nope.toml")


def test_broken_toml_is_one_clear_error(tmp_path: Path) -> None:
    """A syntax error becomes a ConfigError naming the file."""
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(_file(tmp_path, "[[providers]\n"))


def test_provider_passwords_come_from_the_environment(tmp_path: Path) -> None:
    """PPU_PROVIDER_<ID>_PASSWORD supplies the secret; its absence is named."""
    config = load_config(_file(tmp_path, MINIMAL))
    assert config.provider_password("P1", {"PPU_PROVIDER_P1_PASSWORD": "s3"}) == SecretStr("s3")
    with pytest.raises(ConfigError, match="PPU_PROVIDER_P1_PASSWORD"):
        config.provider_password("P1", {})


def test_settings_read_the_ppu_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """PPU_-prefixed variables set the infrastructure settings; the URL stays secret."""
    monkeypatch.setenv("PPU_KAFKA_BOOTSTRAP", "10.0.0.1:9999")
    monkeypatch.setenv("PPU_DATABASE_URL", "postgresql://u:pw@h/db")
    monkeypatch.setenv("PPU_INPUT_PARTITIONS", "24")
    settings = Settings()
    assert settings.kafka_bootstrap == "10.0.0.1:9999"
    assert settings.input_partitions == 24
    assert "pw" not in repr(settings)


def test_a_provider_endpoint_can_be_overridden_per_deployment(tmp_path: Path) -> None:
    """PPU_PROVIDER_<ID>_BASE_URL wins over the file (containers reach providers by name)."""
    config = load_config(_file(tmp_path, MINIMAL))
    assert config.provider_base_url("P1", {}) == "http://127.0.0.1:1/"
    assert (
        config.provider_base_url("P1", {"PPU_PROVIDER_P1_BASE_URL": "http://sim:8101/"})
        == "http://sim:8101/"
    )
    with pytest.raises(ConfigError, match="P7"):
        config.provider_base_url("P7", {})


def test_provider_settings_take_secrets_from_the_environment(tmp_path: Path) -> None:
    """Each provider's adapter settings combine the file, its http table and the password."""
    from service.providers import provider_settings

    text = MINIMAL.replace('username = "u"', 'username = "u"\nhttp = { max_connections = 7 }')
    config = load_config(_file(tmp_path, text))
    (settings,) = provider_settings(config, {"PPU_PROVIDER_P1_PASSWORD": "pw"})
    assert settings.password.get_secret_value() == "pw"
    assert settings.max_connections == 7
    bad = load_config(
        _file(
            tmp_path,
            MINIMAL.replace('username = "u"', 'username = "u"\nhttp = { max_connections = 0 }'),
        )
    )
    with pytest.raises(ConfigError, match="P1"):
        provider_settings(bad, {"PPU_PROVIDER_P1_PASSWORD": "pw"})
