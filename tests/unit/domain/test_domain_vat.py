"""Rule 12: the VAT really included in an Eskom 0%-VAT receipt, raw figures kept."""

from decimal import Decimal

import pytest

from service.domain.money import Money
from service.domain.vat import included_vat, receipt_vat


@pytest.mark.parametrize(
    ("total", "vat"),
    [(10000, 1304), (11500, 1500), (0, 0), (1, 0), (4, 1), (23, 3), (10005, 1305)],
)
def test_included_vat_is_total_times_15_over_115_half_up(total: int, vat: int) -> None:
    """Rule 12: amount = total x 15/115, rounded half-up to the cent, in integer minor units."""
    assert included_vat(total) == vat


def test_half_cent_rounds_up() -> None:
    """Rule 12: an exact half cent rounds up, not to even (at 15% a half never occurs)."""
    assert included_vat(1, Decimal(100)) == 1
    assert included_vat(5, Decimal(100)) == 3


def test_eskom_zero_rated_receipt_reports_included_vat_and_raw_figures() -> None:
    """Rule 12: Eskom's 0% receipt gives rate 15 and the included amount, raw figures beside."""
    zero = Money(value=0, currency="ZAR")
    vat = receipt_vat(
        total=Money(value=10000, currency="ZAR"),
        provider_rate=Decimal(0),
        provider_amount=zero,
        zero_rated_receipt=True,
    )
    assert vat is not None
    assert (vat.rate, vat.amount) == (Decimal(15), Money(value=1304, currency="ZAR"))
    assert (vat.provider_rate, vat.provider_amount) == (Decimal(0), zero)


def test_other_receipts_keep_provider_vat_or_none() -> None:
    """Rules 12 and 15: other utilities carry the provider's VAT; none given means none."""
    total = Money(value=10000, currency="ZAR")
    tax = Money(value=1304, currency="ZAR")
    given = receipt_vat(
        total=total, provider_rate=Decimal(15), provider_amount=tax, zero_rated_receipt=False
    )
    missing = receipt_vat(
        total=total, provider_rate=None, provider_amount=None, zero_rated_receipt=False
    )
    assert given is not None
    assert (given.rate, given.amount) == (Decimal(15), tax)
    assert missing is None


def test_per_token_tax_stands_in_for_a_missing_total() -> None:
    """v1.1: tax on each token but no taxTotal publishes the tokens' sum; raw total stays None."""
    figures = receipt_vat(
        total=Money(value=11500, currency="ZAR"),
        provider_rate=Decimal(15),
        provider_amount=None,
        zero_rated_receipt=False,
        token_tax=Money(value=1500, currency="ZAR"),
    )
    assert figures is not None
    assert figures.amount == Money(value=1500, currency="ZAR")
    assert figures.provider_amount is None


def test_a_sent_total_wins_over_the_tokens() -> None:
    """When the provider sends taxTotal it is published, whatever the tokens add up to."""
    figures = receipt_vat(
        total=Money(value=11500, currency="ZAR"),
        provider_rate=Decimal(15),
        provider_amount=Money(value=1400, currency="ZAR"),
        zero_rated_receipt=False,
        token_tax=Money(value=1500, currency="ZAR"),
    )
    assert figures is not None
    assert figures.amount == Money(value=1400, currency="ZAR")


def test_zero_token_tax_on_a_zero_rated_receipt_is_recomputed() -> None:
    """Rule 12 still applies when the 0 came per token: 15/115 of the total is published."""
    figures = receipt_vat(
        total=Money(value=10000, currency="ZAR"),
        provider_rate=Decimal(0),
        provider_amount=None,
        zero_rated_receipt=True,
        token_tax=Money(value=0, currency="ZAR"),
    )
    assert figures is not None
    assert figures.amount == Money(value=1304, currency="ZAR")
    assert figures.provider_rate == Decimal(0)
