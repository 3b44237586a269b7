"""Figures formatted for people: rates, shares, durations (no I/O)."""

from __future__ import annotations

NONE = "n/a"
_SECOND_MS = 1000.0
_MINUTE_S = 60.0


def share(value: float | None) -> str:
    """A share as a percentage: one decimal below 10%, whole numbers above."""
    if value is None:
        return NONE
    percent = value * 100
    if percent == 0 or percent >= 10:  # noqa: PLR2004 - the precision changes at 10%
        return f"{percent:.0f}%"
    return f"{percent:.1f}%"


def duration_ms(value: float | None) -> str:
    """A latency: whole milliseconds below a second, seconds with one decimal above."""
    if value is None:
        return NONE
    if value >= _SECOND_MS:
        return f"{value / _SECOND_MS:.1f} s"
    return f"{value:.0f} ms" if value >= 1 else "<1 ms"


def rate(per_s: float | None) -> str:
    """Requests per second, or per minute when below one a second."""
    if per_s is None:
        return NONE
    if per_s >= 1:
        return f"{per_s:,.1f}/s"
    return f"{per_s * _MINUTE_S:.1f}/min"


def window(seconds: float | None) -> str:
    """A window length in minutes or seconds."""
    if seconds is None:
        return NONE
    if seconds >= _MINUTE_S:
        return f"{seconds / _MINUTE_S:g} minutes"
    return f"{seconds:g} seconds"
