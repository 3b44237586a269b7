"""Builds one PPU v3 client per configured provider: file entry + environment secrets."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager

from pydantic import ValidationError

from adapters.ppu_v3.client import PpuV3Client
from adapters.ppu_v3.settings import ProviderSettings
from service.config import ConfigError, SwitchConfig


def provider_settings(
    config: SwitchConfig, environ: Mapping[str, str] | None = None
) -> list[ProviderSettings]:
    """Adapter settings per provider; the password and any URL override from the environment."""
    result = []
    for entry in config.providers:
        try:
            result.append(
                ProviderSettings.model_validate(
                    {
                        **entry.http,
                        "provider_id": entry.id,
                        "name": entry.name,
                        "base_url": config.provider_base_url(entry.id, environ),
                        "username": entry.username,
                        "password": config.provider_password(entry.id, environ),
                    }
                )
            )
        except ValidationError as exc:
            raise ConfigError(f"provider {entry.id}: invalid http settings:\n{exc}") from exc
    return result


@asynccontextmanager
async def provider_clients(
    config: SwitchConfig, environ: Mapping[str, str] | None = None
) -> AsyncIterator[dict[str, PpuV3Client]]:
    """Open a client per provider (keep-alive sessions) and close them all on exit."""
    async with AsyncExitStack() as stack:
        clients = {}
        for settings in provider_settings(config, environ):
            clients[settings.provider_id] = await stack.enter_async_context(
                PpuV3Client(settings=settings)
            )
        yield clients
