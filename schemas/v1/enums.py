"""Enumerations of the v1 contract; their values are wire values and never change."""

from __future__ import annotations

from enum import StrEnum


class UtilityType(StrEnum):
    """What the meter dispenses."""

    ELECTRICITY = "ELECTRICITY"
    WATER = "WATER"
    GAS = "GAS"


class FlagAction(StrEnum):
    """A flag change: MARK by an operator, CLEARED by the service once the broadcast ran."""

    MARK = "MARK"
    CLEARED = "CLEARED"


class LookupOutcome(StrEnum):
    """How a lookup ended."""

    FOUND = "FOUND"
    BLOCKED = "BLOCKED"
    INVALID = "INVALID"


class SupportStatus(StrEnum):
    """A provider's support for a meter (rule 1)."""

    SUPPORTED = "SUPPORTED"
    NOT_SUPPORTED = "NOT_SUPPORTED"
    UNCONFIRMED = "UNCONFIRMED"


class SupportCause(StrEnum):
    """What changed a support status."""

    BROADCAST = "BROADCAST"
    ROUTED_LOOKUP = "ROUTED_LOOKUP"
    PURCHASE = "PURCHASE"
    FLAG = "FLAG"


class FailureOutcome(StrEnum):
    """Why a purchase produced no token."""

    DECLINED = "DECLINED"
    UNKNOWN = "UNKNOWN"
    METER_BLOCKED = "METER_BLOCKED"
    INVALID = "INVALID"


class TokenKind(StrEnum):
    """What a token is; METER_UPDATED has no number (rule 11), UNSPECIFIED when not told (15)."""

    STANDARD = "STANDARD"
    FREE_BASIC = "FREE_BASIC"
    KEY_CHANGE = "KEY_CHANGE"
    REFUND = "REFUND"
    POWER_LIMIT = "POWER_LIMIT"
    METER_UPDATED = "METER_UPDATED"
    UNSPECIFIED = "UNSPECIFIED"


class ChargeKind(StrEnum):
    """What a provider deducted from the purchase amount before the tokens (v1.1)."""

    DEBT_RECOVERY = "DEBT_RECOVERY"
    SERVICE = "SERVICE"


class CircuitState(StrEnum):
    """A provider circuit breaker's state, as reported in metrics."""

    CLOSED = "CLOSED"
    OPEN = "OPEN"
    HALF_OPEN = "HALF_OPEN"
