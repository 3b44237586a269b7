"""The console's aiohttp application: routes, middlewares and static files."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

from service.console import account, api, login, pages, routing, transactions
from service.console.context import CONSOLE, Console
from service.console.security import on_prepare, require_session, security_headers

STATIC = Path(__file__).with_name("static")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ROUTES: tuple[tuple[str, str, Handler], ...] = (
    ("GET", "/", pages.home),
    ("GET", "/login", login.login_form),
    ("POST", "/login", login.login),
    ("POST", "/logout", login.logout),
    ("GET", "/account", account.account),
    ("POST", "/account/password", account.change_password),
    ("POST", "/account/sign-out-everywhere", account.sign_out_everywhere),
    ("GET", "/meters", pages.meters),
    ("GET", "/meters/{meter_number}", pages.meter),
    ("POST", "/meters/{meter_number}/confirm-support", pages.confirm_support),
    ("GET", "/providers", pages.providers),
    ("GET", "/providers/{provider_id}/{chart}.svg", pages.provider_chart),
    ("GET", "/routing", routing.routing_form),
    ("POST", "/routing/utilities/{utility_id}", routing.save_utility_form),
    ("POST", "/routing/meters", routing.add_meter_form),
    ("POST", "/routing/meters/{meter_number}/remove", routing.remove_meter_form),
    ("GET", "/audit", pages.audit),
    ("GET", "/transactions", transactions.search_page),
    ("GET", "/transactions/{kind}/{transaction_id}", transactions.detail_page),
    ("GET", "/api/session", api.session),
    ("GET", "/api/meters", api.search),
    ("GET", "/api/meters/{meter_number}", api.meter),
    ("POST", "/api/meters/{meter_number}/rebroadcast", api.rebroadcast),
    ("GET", "/api/providers", api.providers),
    ("GET", "/api/routing", routing.routing_api),
    ("PUT", "/api/routing/utilities/{utility_id}", routing.put_utility),
    ("PUT", "/api/routing/meters/{meter_number}", routing.put_meter),
    ("DELETE", "/api/routing/meters/{meter_number}", routing.delete_meter),
    ("GET", "/api/audit", api.audit),
    ("GET", "/api/transactions", transactions.search_api),
    ("GET", "/api/transactions/{kind}/{transaction_id}", transactions.detail_api),
    ("GET", "/api/openapi.yaml", api.openapi),
)


def console_app(console: Console) -> web.Application:
    """Every page and API route behind the headers, sign-in and CSRF middlewares."""
    app = web.Application(
        middlewares=[security_headers, require_session],
        client_max_size=console.settings.max_body_bytes,
    )
    app[CONSOLE] = console
    app[api.OPENAPI_TEXT] = api.OPENAPI.read_text(encoding="utf-8")
    app.on_response_prepare.append(on_prepare)
    for method, path, handler in ROUTES:
        if method == "GET":
            app.router.add_get(path, handler)  # HEAD too, wherever GET works
        else:
            app.router.add_route(method, path, handler)
    app.router.add_static("/static/", STATIC, name="static")
    return app
