"""Build v3 request bodies from the port's request values."""

from __future__ import annotations

import functools
import re
from datetime import UTC, datetime

from adapters.ppu_v3.settings import OriginatorSettings
from adapters.ppu_v3.wire import common as w
from adapters.ppu_v3.wire import messages as m
from service.domain.money import Money
from service.domain.provider_results import ThirdPartyRef
from service.ports import provider as port

_ALPHA_TO_NUMERIC = {"ZAR": "710", "NAD": "516", "BWP": "072", "LSL": "426", "SZL": "748"}
_NUMERIC_TO_ALPHA = {numeric: alpha for alpha, numeric in _ALPHA_TO_NUMERIC.items()}
_NOT_METER_CHARS = re.compile(r"[^A-Za-z0-9]")


def numeric_currency(alpha: str) -> str:
    """Map ZAR to 710; a code already numeric passes through."""
    return _ALPHA_TO_NUMERIC.get(alpha.upper(), alpha)


def alpha_currency(numeric: str | None) -> str:
    """Map 710 to ZAR; a missing code is taken as rand, an unmapped one is XXX (no currency)."""
    if numeric is None:
        return "ZAR"
    return _NUMERIC_TO_ALPHA.get(numeric.zfill(3), "XXX")


def wire_meter_id(meter_number: str) -> str:
    """Drop spaces, dashes and anything else the meterId pattern forbids."""
    return _NOT_METER_CHARS.sub("", meter_number)


def wire_time(moment: datetime) -> str:
    """RFC 3339 UTC with milliseconds, as the interface recommends."""
    utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    # isoformat is a fraction of strftime's cost; its "+00:00" becomes the "Z" we send.
    return utc.isoformat(timespec="milliseconds")[:-6] + "Z"


def wire_amount(money: Money) -> w.LedgerAmount:
    """Our money as a wire LedgerAmount."""
    return w.LedgerAmount(amount=money.value, currency=numeric_currency(money.currency))


@functools.lru_cache(maxsize=1024)
def _parties(institution_id: str, ours: OriginatorSettings) -> tuple[w.Originator, w.Institution]:
    """Originator and client: the same for every request of an institution, so built once.

    The models are shared by the bodies that use them; nothing mutates a body before sending it.
    """
    merchant = w.Merchant(
        merchant_type=ours.merchant_type,
        merchant_id=ours.merchant_id,
        merchant_name=w.MerchantName(
            name=ours.merchant_name,
            city=ours.merchant_city,
            region=ours.merchant_region,
            country=ours.merchant_country,
        ),
    )
    originator = w.Originator(
        institution=w.Institution(id=institution_id, name=institution_id),
        terminal_id=ours.terminal_id,
        merchant=merchant,
    )
    return originator, w.Institution(id=ours.client_id, name=ours.client_name)


def transaction_base(
    *, wire_id: str, moment: datetime, institution_id: str, ours: OriginatorSettings, ref: str
) -> dict[str, object]:
    """The Transaction fields every request carries, with the switch's own reference."""
    originator, client = _parties(institution_id, ours)
    return {
        "id": wire_id,
        "time": wire_time(moment),
        "originator": originator,
        "client": client,
        "third_party_identifiers": [
            w.ThirdPartyIdentifier(institution_id=ours.client_id, transaction_identifier=ref)
        ],
    }


def lookup_body(
    request: port.LookupRequest, *, wire_id: str, ours: OriginatorSettings
) -> m.MeterLookupRequest:
    """A lookup body; wire_id is fresh per attempt, the lookup id travels as our reference."""
    base = transaction_base(
        wire_id=wire_id,
        moment=request.requested_at,
        institution_id=request.institution_id,
        ours=ours,
        ref=request.lookup_id,
    )
    return m.MeterLookupRequest.model_validate(
        {**base, "meter": w.Meter(meter_id=wire_meter_id(request.meter_number))}
    )


def purchase_body(request: port.PurchaseRequest, *, ours: OriginatorSettings) -> m.PurchaseRequest:
    """A purchase body; the same request value always gives the same body (retry resends it)."""
    base = transaction_base(
        wire_id=request.purchase_id,
        moment=request.requested_at,
        institution_id=request.institution_id,
        ours=ours,
        ref=request.purchase_id,
    )
    return m.PurchaseRequest.model_validate(
        {
            **base,
            "meter": w.Meter(meter_id=wire_meter_id(request.meter_number)),
            "purchase_amount": wire_amount(request.amount),
            "utility_type": request.utility_type,
        }
    )


def wire_refs(refs: tuple[ThirdPartyRef, ...]) -> list[w.ThirdPartyIdentifier]:
    """Third-party references exactly as received."""
    return [
        w.ThirdPartyIdentifier(
            institution_id=r.institution_id, transaction_identifier=r.transaction_id
        )
        for r in refs
    ]


def confirmation_body(advice: port.ConfirmationAdvice) -> m.ConfirmationAdvice:
    """A confirmation advice body (tenders only when we know what was tendered)."""
    tenders = None
    if advice.tendered is not None:
        tenders = [w.Tender(tender_type="CASH", amount=wire_amount(advice.tendered))]
    return m.ConfirmationAdvice(
        id=advice.advice_id,
        request_id=advice.purchase_id,
        time=wire_time(advice.advised_at),
        third_party_identifiers=wire_refs(advice.third_party_refs),
        tenders=tenders,
    )


def reversal_body(advice: port.ReversalAdvice) -> m.ReversalAdvice:
    """A reversal advice body."""
    return m.ReversalAdvice(
        id=advice.advice_id,
        request_id=advice.purchase_id,
        time=wire_time(advice.advised_at),
        third_party_identifiers=wire_refs(advice.third_party_refs),
        reversal_reason=advice.reason.value,
    )
