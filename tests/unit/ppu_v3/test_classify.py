"""Outcome classification follows interface 1.3, refined by the ErrorDetail type."""

from __future__ import annotations

import pytest

from adapters.ppu_v3.classify import (
    classify_status,
    classify_transport_error,
    counts_against_provider,
    is_success,
)
from adapters.ppu_v3.errors import (
    ClientSetupError,
    ConnectionLostError,
    MalformedResponseError,
    NotReachedError,
    ResponseTimeoutError,
)
from service.domain.provider_results import (
    ErrorDetail,
    Failed,
    FailureKind,
    Unknown,
    UnknownKind,
)


@pytest.mark.parametrize("status", [200, 201, 202])
def test_every_2xx_of_the_interface_is_success(status: int) -> None:
    """200, 201 and 202 are all success, for every operation."""
    assert is_success(status)


@pytest.mark.parametrize("status", [203, 204, 301, 400, 404, 500])
def test_other_statuses_are_not_success(status: int) -> None:
    """Only the three interface statuses count as done."""
    assert not is_success(status)


@pytest.mark.parametrize(
    ("status", "kind"), [(500, UnknownKind.SERVER_ERROR), (504, UnknownKind.GATEWAY_TIMEOUT)]
)
def test_500_and_504_are_unknown(status: int, kind: UnknownKind) -> None:
    """The provider may have done it: unknown, never failed."""
    outcome = classify_status(status, None)
    assert outcome == Unknown(kind=kind, status=status)


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (401, FailureKind.UNAUTHORISED),
        (403, FailureKind.UNAUTHORISED),
        (404, FailureKind.NOT_FOUND),
        (501, FailureKind.NOT_IMPLEMENTED),
        (503, FailureKind.UNAVAILABLE),
        (302, FailureKind.OTHER_STATUS),
        (409, FailureKind.OTHER_STATUS),
        (418, FailureKind.OTHER_STATUS),
        (502, FailureKind.OTHER_STATUS),
    ],
)
def test_other_statuses_are_failed(status: int, kind: FailureKind) -> None:
    """501, 503 and every status not named unknown is a definite failure."""
    outcome = classify_status(status, None)
    assert isinstance(outcome, Failed)
    assert outcome.kind is kind
    assert outcome.status == status


@pytest.mark.parametrize(
    ("error_type", "kind"),
    [
        ("UNKNOWN_METER_ID", FailureKind.NOT_SUPPORTED),
        ("METER_ID_BLOCKED", FailureKind.METER_BLOCKED),
        ("DUPLICATE_RECORD", FailureKind.DUPLICATE),
        ("INVALID_AMOUNT", FailureKind.DECLINED),
        ("TRANSACTION_NOT_SUPPORTED", FailureKind.DECLINED),
        ("NO_FREE_UNITS_DUE", FailureKind.DECLINED),
        (None, FailureKind.DECLINED),
    ],
)
def test_400_is_refined_by_the_error_type(error_type: str | None, kind: FailureKind) -> None:
    """A 400 is a decline; UNKNOWN_METER_ID and METER_ID_BLOCKED are recognisable."""
    error = ErrorDetail(error_type=error_type) if error_type else None
    outcome = classify_status(400, error)
    assert isinstance(outcome, Failed)
    assert outcome.kind is kind
    assert outcome.error == error


def test_not_supported_and_blocked_are_distinct() -> None:
    """A municipality's block is never read as "meter not supported" (rule 16)."""
    blocked = classify_status(400, ErrorDetail(error_type="METER_ID_BLOCKED"))
    unknown_meter = classify_status(400, ErrorDetail(error_type="UNKNOWN_METER_ID"))
    assert isinstance(blocked, Failed)
    assert isinstance(unknown_meter, Failed)
    assert blocked.meter_blocked
    assert not blocked.meter_not_supported
    assert unknown_meter.meter_not_supported
    assert not unknown_meter.meter_blocked


def test_not_supported_error_types_are_configurable() -> None:
    """A provider that says not-supported differently can be configured so."""
    error = ErrorDetail(error_type="UTILITY_INVALID")
    outcome = classify_status(400, error, not_supported_types={"UTILITY_INVALID"})
    assert isinstance(outcome, Failed)
    assert outcome.meter_not_supported


@pytest.mark.parametrize("status", [400, 503])
def test_outcome_unknown_error_type_is_unknown(status: int) -> None:
    """OUTCOME_UNKNOWN is treated as unknown, not as a decline."""
    outcome = classify_status(status, ErrorDetail(error_type="OUTCOME_UNKNOWN"))
    assert isinstance(outcome, Unknown)
    assert outcome.kind is UnknownKind.OUTCOME_UNKNOWN


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (NotReachedError("refused"), FailureKind.UNREACHABLE),
        (ClientSetupError("bad url"), FailureKind.CLIENT_ERROR),
        (ResponseTimeoutError("slow"), UnknownKind.TIMEOUT),
        (ConnectionLostError("reset"), UnknownKind.CONNECTION_LOST),
        (MalformedResponseError("junk"), UnknownKind.MALFORMED_RESPONSE),
    ],
)
def test_transport_errors_are_classified(
    error: Exception, expected: FailureKind | UnknownKind
) -> None:
    """Only a request that never left is failed; anything sent without an answer is unknown."""
    assert isinstance(
        error,
        NotReachedError
        | ClientSetupError
        | ResponseTimeoutError
        | ConnectionLostError
        | MalformedResponseError,
    )
    outcome = classify_transport_error(error)
    assert outcome.kind is expected


@pytest.mark.parametrize(
    ("outcome", "against"),
    [
        (Unknown(kind=UnknownKind.TIMEOUT), True),
        (Unknown(kind=UnknownKind.SERVER_ERROR, status=500), True),
        (Failed(kind=FailureKind.UNREACHABLE), True),
        (Failed(kind=FailureKind.UNAVAILABLE, status=503), True),
        (Failed(kind=FailureKind.DECLINED, status=400), False),
        (Failed(kind=FailureKind.NOT_SUPPORTED, status=400), False),
        (Failed(kind=FailureKind.UNAUTHORISED, status=401), False),
    ],
)
def test_breaker_counts_only_health_failures(outcome: Failed | Unknown, against: bool) -> None:
    """A decline proves the provider is alive; unknowns, unreachable and 503 do not."""
    assert counts_against_provider(outcome) is against
