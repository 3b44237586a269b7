"""The page frame: navigation, the signed-in user and the sign-out form."""

from __future__ import annotations

from datetime import datetime

from service.console.html import Markup, render
from service.console.sessions import Session

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · PPU console</title>
<link rel="stylesheet" href="/static/console.css">
<script src="/static/console.js" defer></script>
</head><body>
<header><strong>PPU</strong>{nav}</header>
<main><h1>{title}</h1>{body}</main>
</body></html>
"""
_NAV = """<nav aria-label="Console"><a href="/meters">Meters</a>
<a href="/transactions">Transactions</a> <a href="/providers">Provider health</a>
<a href="/routing">Routing preferences</a> <a href="/audit">Audit log</a>
<a href="/account" class="who" title="Account">{actor}</a>
<form method="post" action="/logout" class="inline">
<input type="hidden" name="csrf_token" value="{csrf}"><button type="submit">Sign out</button>
</form></nav>"""


def page(title: str, body: Markup, *, session: Session | None = None, csrf: str = "") -> Markup:
    """A whole page; the navigation only for a signed-in user."""
    nav = render(_NAV, actor=session.actor, csrf=csrf) if session else Markup("")
    return render(_PAGE, title=title, nav=nav, body=body)


def time_since(then: datetime, now: datetime) -> str:
    """How long ago, in the largest whole unit (the exact time goes in a title attribute)."""
    seconds = max(0, int((now - then).total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count > 1 else ''} ago"
    return "just now"


def exact(at: datetime) -> str:
    """The exact time, UTC, to the second."""
    return at.strftime("%Y-%m-%d %H:%M:%S UTC")
