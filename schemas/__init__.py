"""Public event contract (v1): pydantic models, JSON Schemas and the AsyncAPI document."""
