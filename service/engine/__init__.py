"""The stream engine: key-ordered concurrency, contiguous commits, dead letters, outbox relay.

The runner (`ConsumerRunner`) reads records in batches, decodes each with the decoder it is
given, runs the handler with at most one event in flight per Kafka key, retries transient
failures, dead-letters what cannot be processed, and commits per partition only the offset
below which every record is done. Effects are made idempotent by the unit of work
(`service.ports.unit_of_work`); output events leave through the outbox relay (`OutboxRelay`).
"""

from service.engine.errors import DecodeError, PermanentError, TransientError
from service.engine.liveness import Liveness
from service.engine.records import Event, Identified, Record
from service.engine.relay import OutboxRelay
from service.engine.runner import ConsumerRunner
from service.engine.settings import EngineSettings, RelaySettings

__all__ = [
    "ConsumerRunner",
    "DecodeError",
    "EngineSettings",
    "Event",
    "Identified",
    "Liveness",
    "OutboxRelay",
    "PermanentError",
    "Record",
    "RelaySettings",
    "TransientError",
]
