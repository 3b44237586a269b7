"""Meter number normalisation: trim, drop spaces and dashes, never reject by shape."""

import pytest

from service.domain.meter_number import InvalidMeterNumberError, normalise_meter_number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  01234567890 ", "01234567890"),
        ("0123 4567 890", "01234567890"),
        ("0123-4567-890", "01234567890"),
        ("0123\u20134567\t890", "01234567890"),
        ("abC12", "abC12"),
        ("7", "7"),
        ("123456789012345678901234", "123456789012345678901234"),
    ],
)
def test_normalisation_drops_spaces_and_dashes_only(raw: str, expected: str) -> None:
    """Whitespace and dashes go; case, length and other characters stay (non-STS meters)."""
    assert normalise_meter_number(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", " - - ", "\t\n"])
def test_empty_meter_number_is_invalid(raw: str) -> None:
    """A meter number with nothing left after normalising is refused with a reason."""
    with pytest.raises(InvalidMeterNumberError, match="empty"):
        normalise_meter_number(raw)
