"""Rules 10, 11 and 15: zero amounts, token order, "Meter updated", nothing invented."""

from decimal import Decimal

import pytest

from service.domain.money import Money
from service.domain.tokens import ProviderToken, TokenKind, vended_token, vended_tokens


def test_zero_amount_is_valid_money() -> None:
    """Rule 10: a zero-amount purchase (free units) is a valid amount; negatives are not."""
    assert Money(value=0, currency="ZAR").value == 0
    with pytest.raises(ValueError, match="negative"):
        Money(value=-1, currency="ZAR")
    with pytest.raises(TypeError):
        Money(value=1.5, currency="ZAR")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ISO 4217"):
        Money(value=1, currency="710")


def test_several_tokens_keep_the_provider_order() -> None:
    """Rule 10: free and purchased tokens come out in exactly the provider's order."""
    raws = [
        ProviderToken(token="111", token_type="STD", units=Decimal("28.3"), value=7196, tax=1079),
        ProviderToken(token="222", token_type="BSST", units=Decimal(50), value=0, tax=0),
        ProviderToken(token="333", token_type="KC"),
    ]
    tokens = vended_tokens(raws, currency="ZAR")
    assert [t.token for t in tokens] == ["111", "222", "333"]
    assert [t.kind for t in tokens] == [
        TokenKind.STANDARD,
        TokenKind.FREE_BASIC,
        TokenKind.KEY_CHANGE,
    ]
    assert tokens[0].amount == Money(value=7196, currency="ZAR")
    assert tokens[0].tax == Money(value=1079, currency="ZAR")


@pytest.mark.parametrize("number", [None, "", "  ", "Meter updated", "METER UPDATED"])
def test_meter_updated_has_no_token_number(number: str | None) -> None:
    """Rule 11: a smart meter top-up has token None and kind METER_UPDATED."""
    token = vended_token(ProviderToken(token=number, token_type="STD"), currency="ZAR")
    assert token.token is None
    assert token.kind is TokenKind.METER_UPDATED


def test_missing_parts_stay_missing() -> None:
    """Rule 15: an unknown or absent type, units and value are not invented."""
    token = vended_token(ProviderToken(token=" 12345 ", token_type=None), currency="ZAR")
    odd = vended_token(ProviderToken(token="9", token_type="MYSTERY"), currency="ZAR")
    assert token.token == "12345"
    assert (token.kind, token.units, token.amount, token.tax) == (
        TokenKind.UNSPECIFIED,
        None,
        None,
        None,
    )
    assert odd.kind is TokenKind.UNSPECIFIED
