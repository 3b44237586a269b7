"""The checked-in OpenAPI document describes exactly the console's routes."""

from __future__ import annotations

from pathlib import Path

import yaml

from service.console.app import ROUTES

DOCUMENT = Path(__file__).resolve().parents[3] / "service" / "console" / "openapi.yaml"


def test_every_route_is_documented_and_every_documented_route_exists() -> None:
    """(method, path) pairs of the router and of the document are the same set."""
    document = yaml.safe_load(DOCUMENT.read_text())
    documented = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }
    routed = {(method, path) for method, path, _ in ROUTES}
    assert routed == documented


def test_the_document_is_openapi_3() -> None:
    """The version field says OpenAPI 3 and the session cookie is the security scheme."""
    document = yaml.safe_load(DOCUMENT.read_text())
    assert document["openapi"].startswith("3.")
    assert document["components"]["securitySchemes"]["session"]["in"] == "cookie"
