"""Request body limits: JSON that is too deep or not JSON is answered with 400 and a message."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

MAX_JSON_DEPTH = 8


def bad_request(message: str) -> web.HTTPBadRequest:
    """A 400 whose JSON body says why."""
    return web.HTTPBadRequest(text=json.dumps({"error": message}), content_type="application/json")


def _depth(text: str) -> int:
    """The deepest nesting of arrays and objects, counted without parsing (strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            in_string = escaped or char != '"'
            escaped = not escaped and char == "\\"
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


async def json_body(request: web.Request) -> Any:
    """The request's JSON body (None when empty); 400 when not JSON or nested too deep."""
    if not request.can_read_body:
        return None
    try:
        text = await request.text()
    except UnicodeDecodeError as exc:
        raise bad_request("the body is not UTF-8 text") from exc
    if not text.strip():
        return None
    if _depth(text) > MAX_JSON_DEPTH:
        raise bad_request(f"the JSON body is nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise bad_request("the body is not JSON") from exc
