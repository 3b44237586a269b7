"""One realistic event per topic of the v1 contract, shared by the schema tests."""

from datetime import UTC, datetime
from uuid import UUID

import pytest

from schemas.v1 import (
    CircuitState,
    Customer,
    DeadLetter,
    ErrorInfo,
    Event,
    FailureOutcome,
    FlagAction,
    LookupCompleted,
    LookupOutcome,
    LookupRequested,
    MeterBlocked,
    Metrics,
    Money,
    Party,
    ProviderMetrics,
    ProviderSupport,
    PurchaseFailed,
    PurchaseRequested,
    RebroadcastFlag,
    ReportedVat,
    SupportCause,
    SupportStatus,
    SupportUpdated,
    TableMetrics,
    Token,
    TokenIssued,
    TokenKind,
    TopicMetrics,
    Vat,
)

AT = datetime(2025, 3, 14, 9, 26, 53, 589000, tzinfo=UTC)
PURCHASE = UUID("9a6e0c52-1d3b-4f7a-b2c8-5e4d3f2a1b09")
ZAR = "ZAR"


def _ids(n: int) -> dict[str, object]:
    return {"event_id": UUID(int=n), "occurred_at": AT}


def _statuses() -> list[ProviderSupport]:
    return [
        ProviderSupport(
            provider_id="100001", status=SupportStatus.NOT_SUPPORTED, last_response_at=AT
        ),
        ProviderSupport(
            provider_id="100002", status=SupportStatus.UNCONFIRMED, awaiting_confirmation=True
        ),
    ]


def _token_issued() -> TokenIssued:
    return TokenIssued(
        **_ids(5),
        purchase_id=PURCHASE,
        institution_id="RETAIL-01",
        meter_number="01234567890",
        settlement_entity=Party(id="100001", name="Simulated iPay"),
        receiver=Party(id="ESKOM", name="Eskom Direct"),
        amount=Money(value=10000, currency=ZAR),
        tokens=[
            Token(
                token="12345678901234567890",
                kind=TokenKind.STANDARD,
                units=28.3,
                amount=Money(value=10000, currency=ZAR),
                tax=Money(value=0, currency=ZAR),
            ),
            Token(token=None, kind=TokenKind.METER_UPDATED),
        ],
        vat=Vat(
            rate=15,
            amount=Money(value=1304, currency=ZAR),
            provider_reported=ReportedVat(rate=0, amount=Money(value=0, currency=ZAR)),
        ),
        issued_at=AT,
    )


def _lookup_completed() -> LookupCompleted:
    return LookupCompleted(
        **_ids(4),
        lookup_id="L-1",
        institution_id="RETAIL-01",
        meter_number="01234567890",
        outcome=LookupOutcome.FOUND,
        utility=Party(id="CPT", name="City of Cape Town"),
        customer=Customer(last_name="Mokoena"),
        providers=_statuses(),
        routed_provider_id="100001",
        broadcast=True,
    )


def _meter_blocked() -> MeterBlocked:
    return MeterBlocked(
        **_ids(6),
        meter_number="01234567890",
        institution_id="RETAIL-01",
        purchase_id=PURCHASE,
        reason="no enabled provider supports the meter",
        providers=_statuses(),
    )


def _purchase_failed() -> PurchaseFailed:
    return PurchaseFailed(
        **_ids(7),
        purchase_id=PURCHASE,
        institution_id="RETAIL-01",
        meter_number="01234567890",
        outcome=FailureOutcome.DECLINED,
        provider_id="100002",
        error=ErrorInfo(type="METER_ID_BLOCKED", message="blocked by the municipality"),
    )


def _support_updated() -> SupportUpdated:
    return SupportUpdated(
        **_ids(8),
        meter_number="01234567890",
        provider_id="100001",
        status=SupportStatus.SUPPORTED,
        last_response_at=AT,
        cause=SupportCause.BROADCAST,
        previous_status=SupportStatus.UNCONFIRMED,
    )


def _metrics() -> Metrics:
    return Metrics(
        **_ids(9),
        instance_id="switch-1",
        window_seconds=10.0,
        providers=[
            ProviderMetrics(
                provider_id="100001",
                requests=10,
                errors=1,
                timeouts=0,
                latency_p50_ms=12.5,
                circuit=CircuitState.CLOSED,
            )
        ],
        topics=[TopicMetrics(topic="ppu.lookup.requested", processed=10, lag=0)],
        events_processed=10,
        lag=0,
        in_flight=2,
        dead_letters=1,
        tables=[
            TableMetrics(table="outbox", rows_estimate=1200, bytes=180_224),
            TableMetrics(table="advices", rows_estimate=None, bytes=8192),
        ],
    )


def _dead_letter() -> DeadLetter:
    return DeadLetter(
        **_ids(10),
        source_topic="ppu.purchase.requested",
        source_partition=3,
        source_offset=42,
        original_key=DeadLetter.encode_bytes(b"0123"),
        original_value=DeadLetter.encode_bytes(b"{not json"),
        reason="invalid JSON",
    )


def _outputs() -> dict[str, Event]:
    return {
        "ppu.lookup.completed": _lookup_completed(),
        "ppu.token.issued": _token_issued(),
        "ppu.meter.blocked": _meter_blocked(),
        "ppu.purchase.failed": _purchase_failed(),
        "ppu.support.updated": _support_updated(),
        "ppu.metrics": _metrics(),
        "ppu.dead-letter": _dead_letter(),
    }


def _inputs() -> dict[str, Event]:
    return {
        "ppu.lookup.requested": LookupRequested(
            **_ids(1), lookup_id="L-1", institution_id="RETAIL-01", meter_number="0123 4567 890"
        ),
        "ppu.purchase.requested": PurchaseRequested(
            **_ids(2),
            purchase_id=PURCHASE,
            institution_id="RETAIL-01",
            meter_number="01234567890",
            amount=Money(value=0, currency=ZAR),
        ),
        "ppu.rebroadcast.flags": RebroadcastFlag(
            **_ids(3), meter_number="01234567890", action=FlagAction.MARK, requested_by="ops"
        ),
    }


@pytest.fixture
def sample_events() -> dict[str, Event]:
    """One valid event per topic, keyed by topic name."""
    return {**_inputs(), **_outputs()}
