"""Outcome classification by HTTP status (interface 1.3), refined by the ErrorDetail type."""

from __future__ import annotations

from collections.abc import Collection

from adapters.ppu_v3.errors import (
    ClientSetupError,
    MalformedResponseError,
    NotReachedError,
    PpuTransportError,
    ResponseTimeoutError,
)
from service.domain.provider_results import (
    ErrorDetail,
    Failed,
    FailureKind,
    Unknown,
    UnknownKind,
)

SUCCESS_STATUSES = frozenset({200, 201, 202})
_UNKNOWN_STATUSES = {500: UnknownKind.SERVER_ERROR, 504: UnknownKind.GATEWAY_TIMEOUT}
_FAILED_STATUSES = {
    401: FailureKind.UNAUTHORISED,
    403: FailureKind.UNAUTHORISED,
    404: FailureKind.NOT_FOUND,
    501: FailureKind.NOT_IMPLEMENTED,
    503: FailureKind.UNAVAILABLE,
}
_DECLINE_TYPES = {
    "METER_ID_BLOCKED": FailureKind.METER_BLOCKED,
    "DUPLICATE_RECORD": FailureKind.DUPLICATE,
}


def is_success(status: int) -> bool:
    """Tell whether a status means done (any of 200/201/202 for every operation)."""
    return status in SUCCESS_STATUSES


def classify_status(
    status: int,
    error: ErrorDetail | None,
    *,
    not_supported_types: Collection[str] = ("UNKNOWN_METER_ID",),
) -> Failed | Unknown:
    """Classify a non-success status: 500/504 and OUTCOME_UNKNOWN unknown, the rest failed."""
    error_type = error.error_type if error else None
    if status in _UNKNOWN_STATUSES:
        return Unknown(kind=_UNKNOWN_STATUSES[status], status=status, error=error)
    if error_type == "OUTCOME_UNKNOWN":
        return Unknown(kind=UnknownKind.OUTCOME_UNKNOWN, status=status, error=error)
    if status in _FAILED_STATUSES:
        return Failed(kind=_FAILED_STATUSES[status], status=status, error=error)
    if status != 400:  # noqa: PLR2004 - 400 is the interface's decline status
        return Failed(kind=FailureKind.OTHER_STATUS, status=status, error=error)
    if error_type is not None and error_type in not_supported_types:
        return Failed(kind=FailureKind.NOT_SUPPORTED, status=status, error=error)
    kind = _DECLINE_TYPES.get(error_type or "", FailureKind.DECLINED)
    return Failed(kind=kind, status=status, error=error)


def classify_transport_error(error: PpuTransportError) -> Failed | Unknown:
    """Classify a request that got no HTTP answer: only never-sent requests are failed."""
    if isinstance(error, NotReachedError):
        return Failed(kind=FailureKind.UNREACHABLE, error=_detail(error))
    if isinstance(error, ClientSetupError):
        return Failed(kind=FailureKind.CLIENT_ERROR, error=_detail(error))
    if isinstance(error, ResponseTimeoutError):
        return Unknown(kind=UnknownKind.TIMEOUT, error=_detail(error))
    if isinstance(error, MalformedResponseError):
        return Unknown(kind=UnknownKind.MALFORMED_RESPONSE, error=_detail(error))
    return Unknown(kind=UnknownKind.CONNECTION_LOST, error=_detail(error))


def _detail(error: PpuTransportError) -> ErrorDetail:
    """Describe a transport error in the outcome, without any request data."""
    return ErrorDetail(error_type=type(error).__name__, message=str(error)[:200])


def counts_against_provider(outcome: Failed | Unknown) -> bool:
    """Tell whether an outcome is a health failure for the breaker (unknown, unreachable, 503)."""
    if isinstance(outcome, Unknown):
        return True
    return outcome.kind in (FailureKind.UNREACHABLE, FailureKind.UNAVAILABLE)
