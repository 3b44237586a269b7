"""Build the bodies of the optional operations: reprint, fault report, key change."""

from __future__ import annotations

from adapters.ppu_v3.settings import OriginatorSettings
from adapters.ppu_v3.to_wire import transaction_base, wire_meter_id
from adapters.ppu_v3.wire import common as w
from adapters.ppu_v3.wire import messages as m
from service.ports import provider as port


def reprint_body(
    request: port.ReprintRequest, *, ours: OriginatorSettings
) -> m.TokenReprintRequest:
    """A reprint body; no original_ref asks for the meter's last token."""
    base = transaction_base(
        wire_id=request.reprint_id,
        moment=request.requested_at,
        institution_id=request.institution_id,
        ours=ours,
        ref=request.reprint_id,
    )
    return m.TokenReprintRequest.model_validate(
        {
            **base,
            "meter": w.Meter(meter_id=wire_meter_id(request.meter_number)),
            "original_ref": request.original_ref,
        }
    )


def fault_report_body(
    report: port.FaultReport, *, ours: OriginatorSettings
) -> m.FaultReportRequest:
    """A fault report body."""
    base = transaction_base(
        wire_id=report.report_id,
        moment=report.requested_at,
        institution_id=report.institution_id,
        ours=ours,
        ref=report.report_id,
    )
    return m.FaultReportRequest.model_validate(
        {
            **base,
            "meter": w.Meter(meter_id=wire_meter_id(report.meter_number)),
            "contact_number": report.contact_number,
            "fault_type": report.fault_type,
            "fault_description": report.description,
        }
    )


def key_change_body(
    request: port.KeyChangeRequest, *, ours: OriginatorSettings
) -> m.KeyChangeTokenRequest:
    """A key change token request body."""
    base = transaction_base(
        wire_id=request.request_id,
        moment=request.requested_at,
        institution_id=request.institution_id,
        ours=ours,
        ref=request.request_id,
    )
    return m.KeyChangeTokenRequest.model_validate(
        {**base, "meter": w.Meter(meter_id=wire_meter_id(request.meter_number))}
    )
