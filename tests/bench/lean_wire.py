"""The lean peer's provider side: v3 request bodies from a template, one POST, a coarse answer.

Deliberately not the switch's adapter (no pydantic wire models, no retrier, no breaker): a body
is a dict built once per provider with only the id, time, meter and reference changed per call,
and an answer is reduced to what the lean peer's output needs.
"""

from __future__ import annotations

import base64
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

BASE = "prepaidutility/v3"
CLIENT_ID = "270000"
# The mandatory Transaction fields the simulator (like Electrum's server) checks.
_CLIENT = {"id": CLIENT_ID, "name": "PPU Lean Peer"}
_MERCHANT: dict[str, Any] = {
    "merchantType": "4900",
    "merchantId": "PPULEANPEER0001",
    "merchantName": {"name": "PPU Lean", "city": "Johannesburg", "region": "GP", "country": "ZA"},
}
OK, NOT_SUPPORTED, DECLINED, UNCONFIRMED = "OK", "NOT_SUPPORTED", "DECLINED", "UNCONFIRMED"


@dataclass(frozen=True, kw_only=True)
class ProviderTarget:
    """One provider as the lean peer calls it: URLs, its auth header and its timeouts."""

    provider_id: str
    lookup_url: str
    purchase_url: str
    headers: Mapping[str, str]
    lookup_timeout: aiohttp.ClientTimeout
    purchase_timeout: aiohttp.ClientTimeout
    max_connections: int


def load_targets(config_file: Path, env: Mapping[str, str]) -> list[ProviderTarget]:
    """The switch's providers from its config file, in its order, passwords from `env`."""
    body = tomllib.loads(config_file.read_text())
    targets = []
    for entry in body["providers"]:
        pid = entry["id"]
        secret = f"{entry['username']}:{env[f'PPU_PROVIDER_{pid}_PASSWORD']}"
        http = entry.get("http", {})
        timeouts = http.get("timeouts", {})
        base = entry["base_url"].rstrip("/")
        targets.append(
            ProviderTarget(
                provider_id=pid,
                lookup_url=f"{base}/{BASE}/meterLookups/",
                purchase_url=f"{base}/{BASE}/tokenPurchases/",
                headers={
                    "Authorization": "Basic " + base64.b64encode(secret.encode()).decode(),
                    "Content-Type": "application/json",
                },
                lookup_timeout=aiohttp.ClientTimeout(total=float(timeouts.get("lookup", 5.0))),
                purchase_timeout=aiohttp.ClientTimeout(total=float(timeouts.get("purchase", 10.0))),
                max_connections=int(http.get("max_connections", 100)),
            )
        )
    return targets


def wire_time(moment: datetime) -> str:
    """RFC 3339 UTC with milliseconds."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def request_body(
    *, wire_id: str, institution: str, meter: str, ref: str, amount_cents: int | None = None
) -> bytes:
    """A lookup body, or a purchase body when `amount_cents` is given (rand, ISO 4217 710)."""
    originator = {
        "institution": {"id": institution, "name": institution},
        "terminalId": "PPULEAN1",
        "merchant": _MERCHANT,
    }
    body: dict[str, Any] = {
        "id": wire_id,
        "time": wire_time(datetime.now(UTC)),
        "originator": originator,
        "client": _CLIENT,
        "thirdPartyIdentifiers": [{"institutionId": CLIENT_ID, "transactionIdentifier": ref}],
        "meter": {"meterId": meter},
    }
    if amount_cents is not None:
        body["purchaseAmount"] = {"amount": amount_cents, "currency": "710"}
    return json.dumps(body, separators=(",", ":")).encode()


def classify(status: int, body: bytes) -> tuple[str, dict[str, Any]]:
    """(OK / NOT_SUPPORTED / DECLINED / UNCONFIRMED, the parsed answer) of one HTTP answer."""
    try:
        parsed = json.loads(body) if body else {}
    except ValueError:
        parsed = {}
    answer = parsed if isinstance(parsed, dict) else {}
    if status in (200, 201, 202):
        return OK, answer
    if status == 400:  # a decline; its errorType says which
        kind = NOT_SUPPORTED if answer.get("errorType") == "UNKNOWN_METER_ID" else DECLINED
        return kind, answer
    return UNCONFIRMED, answer  # 5xx and the rest: the provider may have done it


async def post(
    session: aiohttp.ClientSession,
    target: ProviderTarget,
    *,
    purchase: bool,
    wire_id: str,
    body: bytes,
) -> tuple[str, dict[str, Any]]:
    """One lookup or purchase call; a timeout or a lost connection is UNCONFIRMED."""
    url = (target.purchase_url if purchase else target.lookup_url) + wire_id
    timeout = target.purchase_timeout if purchase else target.lookup_timeout
    try:
        async with session.post(url, data=body, headers=target.headers, timeout=timeout) as answer:
            return classify(answer.status, await answer.read())
    except (aiohttp.ClientError, TimeoutError):
        return UNCONFIRMED, {}
