"""Value objects that several output events share."""

from __future__ import annotations

from pydantic import Field, StrictBool, StrictStr

from schemas.v1.base import ContractModel, Id, UtcDateTime
from schemas.v1.enums import SupportStatus


class Party(ContractModel):
    """A named institution: a settlement entity (provider) or a receiver (the switch's utility)."""

    id: Id
    name: StrictStr


class ProviderSupport(ContractModel):
    """One provider's support for a meter at the time of the event (rule 1)."""

    provider_id: Id
    status: SupportStatus
    last_response_at: UtcDateTime | None = Field(
        default=None, description="Null when the provider never answered for this meter"
    )
    awaiting_confirmation: StrictBool = Field(
        default=False, description="No answer since the last broadcast, or never"
    )


class Customer(ContractModel):
    """Customer details exactly as a provider returned them; any part may be missing (rule 15)."""

    first_name: StrictStr | None = None
    last_name: StrictStr | None = None
    address: StrictStr | None = None
