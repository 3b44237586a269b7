"""Rule 14: the same purchase id never vends twice; the second copy gets the first outcome."""

from uuid import uuid4

import pytest

from service.domain.idempotency import (
    Copy,
    DuplicateAction,
    copy_of_claim,
    fingerprint,
    on_purchase_request,
)
from service.domain.purchase_state import PurchaseState

S = PurchaseState


def test_new_purchase_is_processed() -> None:
    """Rule 14: a purchase id never seen is processed."""
    assert on_purchase_request(None) is DuplicateAction.PROCESS


@pytest.mark.parametrize(
    "state",
    [
        S.ISSUED,
        S.FAILED,
        S.CONFIRMATION_PENDING,
        S.CONFIRMATION_ACKNOWLEDGED,
        S.REVERSAL_PENDING,
        S.REVERSAL_ACKNOWLEDGED,
    ],
)
def test_decided_purchase_replays_first_outcome(state: PurchaseState) -> None:
    """Rule 14: a second copy of a decided purchase gets the first outcome re-published."""
    assert on_purchase_request(state) is DuplicateAction.REPLAY_OUTCOME


@pytest.mark.parametrize("state", [S.SENT, S.UNKNOWN])
def test_possibly_sent_purchase_is_recovered_not_resent(state: PurchaseState) -> None:
    """Rules 14 and 8: a copy arriving after the purchase may have left is recovered by retry."""
    assert on_purchase_request(state) is DuplicateAction.RECOVER


def test_every_state_has_a_duplicate_rule() -> None:
    """Every ledger state maps to an action, so no redelivery can fall through."""
    actions = {on_purchase_request(s) for s in PurchaseState}
    assert on_purchase_request(S.ROUTED) is DuplicateAction.RESUME
    assert DuplicateAction.PROCESS not in actions


def _print(**changes: object) -> str:
    fields: dict[str, object] = {
        "institution_id": "RETAIL-01",
        "meter_number": "04128123111",
        "amount_value": 1500,
        "currency": "ZAR",
        "utility_type": "ELECTRICITY",
    }
    fields.update(changes)
    return fingerprint(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "change",
    [
        {"institution_id": "RETAIL-02"},
        {"meter_number": "04128123112"},
        {"amount_value": 1501},
        {"currency": "USD"},
        {"utility_type": "WATER"},
    ],
)
def test_rule_18_each_field_of_the_fingerprint_matters(change: dict[str, object]) -> None:
    """Rule 18: a copy differing in any one field is a different purchase."""
    assert _print(**change) != _print()


def test_rule_18_fields_cannot_run_into_each_other() -> None:
    """Rule 18: moving characters from one field to the next never gives the same print."""
    assert _print(institution_id="RETAIL-0", meter_number="104128123111") != _print()


def test_rule_18_the_owner_of_a_claim_is_the_request_that_made_it() -> None:
    """Rule 18: a redelivery of the claiming request resumes its own purchase."""
    first = uuid4()
    copy = copy_of_claim(
        claimed_by=first, claimed_print=_print(), request_event_id=first, request_print=_print()
    )
    assert copy is Copy.OWNER


def test_rule_18_a_copy_with_the_same_fingerprint_replays_the_first_outcome() -> None:
    """Rule 18: same fingerprint, another request: the first outcome again, no second vend."""
    copy = copy_of_claim(
        claimed_by=uuid4(), claimed_print=_print(), request_event_id=uuid4(), request_print=_print()
    )
    assert copy is Copy.SAME


def test_rule_18_a_copy_with_another_fingerprint_conflicts() -> None:
    """Rule 18: same purchase id, other amount: a conflicting duplicate (INVALID, no vend)."""
    copy = copy_of_claim(
        claimed_by=uuid4(),
        claimed_print=_print(),
        request_event_id=uuid4(),
        request_print=_print(amount_value=9999),
    )
    assert copy is Copy.CONFLICTING
