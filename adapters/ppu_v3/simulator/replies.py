"""Building the simulator's answers: ErrorDetail bodies and echoed base fields."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from adapters.ppu_v3.simulator.config import SimProviderConfig

_ECHOED = ("id", "time", "originator", "client", "settlementEntity", "receiver")


def error(
    status: int, error_type: str, message: str, detail: Any = None, *, message_id: Any = None
) -> web.Response:
    """A non-2xx answer with an ErrorDetail body."""
    body: dict[str, Any] = {"errorType": error_type, "errorMessage": message}
    if detail is not None:
        body["detailMessage"] = detail
    if isinstance(message_id, str):
        body["id"] = message_id
    return web.json_response(body, status=status)


def format_error(violations: list[dict[str, Any]]) -> web.Response:
    """400 FORMAT_ERROR with the list of violations, as the reference server words it."""
    return error(400, "FORMAT_ERROR", "See error detail for format errors", violations)


def id_mismatch(body_id: Any, path_id: str) -> web.Response:
    """400 FORMAT_ERROR: the body id is not the path id."""
    return error(
        400,
        "FORMAT_ERROR",
        "Message ID (UUID) is not the same as ID path parameter.",
        f"Message ID: {body_id}; ID path parameter: {path_id}",
    )


def duplicate(message_id: str) -> web.Response:
    """400 DUPLICATE_RECORD: the id was used before."""
    return error(400, "DUPLICATE_RECORD", "Message ID (UUID) is not unique.", message_id)


def unknown_meter(meter_id: str, message_id: str) -> web.Response:
    """400 UNKNOWN_METER_ID: the definite "meter not supported" answer."""
    detail = f"This meter ID was not recognised by the system: {meter_id}"
    return error(400, "UNKNOWN_METER_ID", "Unknown meter ID", detail, message_id=message_id)


def not_located(original_id: str) -> web.Response:
    """404 UNABLE_TO_LOCATE_RECORD: the original request is unknown here."""
    detail = f"The request with ID {original_id} could not be located on the system"
    return error(404, "UNABLE_TO_LOCATE_RECORD", "Original request not found", detail)


def echo(body: dict[str, Any], config: SimProviderConfig) -> dict[str, Any]:
    """The request's base fields unchanged, plus this provider's own reference and identity."""
    echoed = {key: body[key] for key in _ECHOED if body.get(key) is not None}
    echoed.setdefault("settlementEntity", {"id": config.provider_id, "name": config.name})
    ours = {"institutionId": config.provider_id, "transactionIdentifier": f"SIM-{body.get('id')}"}
    echoed["thirdPartyIdentifiers"] = [*(body.get("thirdPartyIdentifiers") or []), ours]
    return echoed
