"""The headers middleware: a crash still answers a plain 500 with every security header."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from service.console.security import HEADERS, SERVER, on_prepare, security_headers


async def _crash(request: web.Request) -> web.Response:
    raise RuntimeError("a bug")


async def test_a_crash_is_a_500_with_the_headers_and_no_version() -> None:
    """The body says nothing of the bug; CSP, frame and Server headers are there."""
    app = web.Application(middlewares=[security_headers])
    app.on_response_prepare.append(on_prepare)
    app.router.add_get("/crash", _crash)
    async with TestClient(TestServer(app)) as client:
        answer = await client.get("/crash")
        body = await answer.text()
        missing = await client.get("/nowhere")
    assert answer.status == 500
    assert "RuntimeError" not in body
    assert "a bug" not in body
    for response in (answer, missing):
        for name, value in HEADERS.items():
            assert response.headers[name] == value
        assert response.headers["Server"] == SERVER
    assert missing.status == 404
