"""What the console's handlers share: its components, and the signed-in session per request."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from service.config import Institution, SwitchConfig
from service.console.auth import Authenticator
from service.console.meters import MeterService
from service.console.metrics_feed import MetricsFeed
from service.console.routing_edit import RoutingEditor
from service.console.session_store import SessionStore
from service.console.sessions import FormTokens, Session
from service.console.settings import ConsoleSettings
from service.console.store import ConsoleStore
from service.console.throttle import SignInThrottle
from service.console.transactions_store import TransactionStore


@dataclass(frozen=True, kw_only=True)
class Console:
    """The console's components, built once by `console_app`'s caller."""

    config: SwitchConfig
    settings: ConsoleSettings
    auth: Authenticator
    sessions: SessionStore
    forms: FormTokens
    throttle: SignInThrottle
    meters: MeterService
    store: ConsoleStore
    feed: MetricsFeed
    transactions: TransactionStore
    routing: RoutingEditor


CONSOLE = web.AppKey("console", Console)
SESSION = web.RequestKey("session", Session)


def console_of(request: web.Request) -> Console:
    """The console serving this request."""
    return request.app[CONSOLE]


def session_of(request: web.Request) -> Session:
    """The signed-in session (the auth middleware guarantees one on protected routes)."""
    return request[SESSION]


def institution_of(request: web.Request) -> Institution:
    """The signed-in user's institution: the only scope any handler reads or acts in."""
    session = session_of(request)
    for institution in console_of(request).config.institutions:
        if institution.id == session.institution_id:
            return institution
    raise web.HTTPUnauthorized()  # the middleware refuses sessions of unknown institutions


def actors_of(institution: Institution) -> list[str]:
    """The exact `requested_by` names of the institution's console users."""
    return [f"{institution.id}/{user.username}" for user in institution.console_users]
