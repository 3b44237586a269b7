"""Building blocks shared by every v1 event: the base model, time, ids and money."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
)


def _text_or_datetime(value: object) -> object:
    """Refuse numbers: pydantic would read them as epoch seconds, which RFC 3339 never is."""
    if isinstance(value, (str, datetime)):
        return value
    raise ValueError("must be an RFC 3339 date-time string")


def _as_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDateTime = Annotated[
    AwareDatetime,
    BeforeValidator(_text_or_datetime),
    AfterValidator(_as_utc),
    Field(description="RFC 3339 date-time with an offset, normalised to UTC"),
]
"""A timestamp that must carry an offset; stored and emitted in UTC."""

Id = Annotated[StrictStr, Field(min_length=1, max_length=128)]
"""A non-empty identifier chosen by someone else (institution, provider, utility, lookup)."""

MeterNumberText = Annotated[
    StrictStr,
    Field(max_length=256, description="Meter number as sent; the key is its normalised form"),
]
"""A meter number as received: may be empty or oddly shaped, the domain decides (rule 4)."""


class ContractModel(BaseModel):
    """Base of every model: frozen, and tolerant of fields added by newer producers."""

    model_config = ConfigDict(frozen=True, extra="ignore", allow_inf_nan=False)


class Event(ContractModel):
    """Fields every event carries."""

    event_id: UUID = Field(description="Unique per event; consumers use it to skip duplicates")
    occurred_at: UtcDateTime


class Money(ContractModel):
    """Integer minor units with an ISO 4217 alphabetic currency, e.g. 1500 ZAR = R15.00."""

    value: StrictInt = Field(ge=0, description="Minor units (cents); 0 is valid (free units)")
    currency: StrictStr = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 alphabetic code")
