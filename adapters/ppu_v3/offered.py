"""Optional operations a provider does not offer, learnt from its answers and remembered.

Interface 1.2: trial, reprint, fault report, key change, key change confirmation and purchase
notification are optional; a provider without one answers 501 (the interface's default
implementation), 400 FUNCTION_NOT_SUPPORTED, or 404 from its web framework because the path does
not exist (Electrum's reference server, built on an older interface). Such an answer is
remembered for the life of the client: later calls return Failed(NOT_IMPLEMENTED) at once,
without a request, and provider health lists the operation as not offered. A 404 whose
ErrorDetail says UNABLE_TO_LOCATE_RECORD is the operation's own answer (the original request is
unknown), so it proves the operation exists.
"""

from __future__ import annotations

import structlog

from service.domain.provider_results import ErrorDetail, Failed, FailureKind

_log = structlog.get_logger("adapters.ppu_v3")
NOT_OFFERED_TYPE = "NOT_OFFERED"


def means_not_offered(outcome: object) -> bool:
    """Tell whether an answer says the provider lacks the operation itself."""
    if not isinstance(outcome, Failed):
        return False
    error_type = outcome.error.error_type if outcome.error else None
    if outcome.kind is FailureKind.NOT_IMPLEMENTED:
        return True
    if outcome.kind is FailureKind.NOT_FOUND:
        return error_type != "UNABLE_TO_LOCATE_RECORD"
    return error_type == "FUNCTION_NOT_SUPPORTED"


class OfferedOperations:
    """One provider's optional operations known to be absent."""

    def __init__(self, provider_id: str) -> None:
        """Start knowing nothing: every operation is tried once."""
        self._provider_id = provider_id
        self._absent: set[str] = set()

    @property
    def not_offered(self) -> frozenset[str]:
        """Operations the provider answered 404/501 to."""
        return frozenset(self._absent)

    def remembered_answer(self, operation: str) -> Failed | None:
        """The remembered refusal for an operation known to be absent, else None."""
        if operation not in self._absent:
            return None
        detail = ErrorDetail(error_type=NOT_OFFERED_TYPE, message="not offered by this provider")
        return Failed(kind=FailureKind.NOT_IMPLEMENTED, error=detail)

    def learn(self, operation: str, outcome: object) -> None:
        """Remember the operation as absent when the answer says so."""
        if operation in self._absent or not means_not_offered(outcome):
            return
        self._absent.add(operation)
        _log.warning(
            "ppu_v3.operation_not_offered",
            provider_id=self._provider_id,
            operation=operation,
            status=getattr(outcome, "status", None),
        )
