"""Public event contract (v1): pydantic models, JSON Schemas and the AsyncAPI document."""

from schemas.codec import EventDecodeError, canonical_bytes, decode
from schemas.registry import CONTRACTS, TOPIC_MODELS, Direction, TopicContract, model_for

__all__ = [
    "CONTRACTS",
    "TOPIC_MODELS",
    "Direction",
    "EventDecodeError",
    "TopicContract",
    "canonical_bytes",
    "decode",
    "model_for",
]
