"""Transaction search: by meter number, purchase id or lookup id, for the signed-in
institution; a detail page with the message trace (tokens masked but the last four)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from aiohttp import web

from service.console.context import console_of, institution_of, session_of
from service.console.html import Markup, join, path_segment, render
from service.console.layout import exact, page
from service.console.meters import normalised_or_none
from service.console.transactions_store import Transaction
from service.console.transactions_view import Summary, pretty, summary, trace

_KINDS = {"lookup": "LOOKUP", "purchase": "PURCHASE"}
_SEARCH = """<form method="get" action="/transactions" role="search">
<label for="transaction-search">Meter number, purchase id or lookup id</label>
<input id="transaction-search" name="q" value="{q}" autocomplete="off">
<button type="submit">Search</button></form>{results}"""
_TABLE = """<table id="transactions" class="stack"><thead><tr><th>Time</th><th>Kind</th>
<th>Meter</th><th>Amount</th><th>State</th><th>Provider</th><th>Outcome</th></tr></thead>
<tbody>{rows}</tbody></table>"""
_ROW = """<tr data-id="{tid}"><td data-label="Time"><a href="/transactions/{kind_path}/{href}">
{at}</a></td><td data-label="Kind">{kind}</td><td data-label="Meter">{meter}</td>
<td data-label="Amount">{amount}</td><td data-label="State" class="state">{state}</td>
<td data-label="Provider">{provider}</td><td data-label="Outcome" class="outcome">{outcome}</td>
</tr>"""
_NOTHING = """<p class="message" role="status" id="no-transactions">No lookup or purchase of your
institution matches <strong>{q}</strong>.</p>"""
_DETAIL = """<dl class="meter"><dt>{kind} id</dt><dd id="transaction-id">{tid}</dd>
<dt>Meter number</dt><dd>{meter}</dd><dt>Amount</dt><dd>{amount}</dd>
<dt>State</dt><dd>{state}</dd><dt>Provider</dt><dd>{provider}</dd>
<dt>Outcome</dt><dd id="outcome">{outcome}</dd></dl>
<h2>Message trace</h2><ol class="trace" id="trace">{items}</ol>"""
_ITEM = """<li data-step="{step}"><strong>{title}</strong> <span class="when">{at}</span>
<pre><code>{details}</code></pre></li>"""


def _rows(found: Sequence[Summary]) -> Markup:
    return join(
        render(
            _ROW,
            tid=s.transaction_id,
            kind_path=s.kind.lower(),
            href=path_segment(s.transaction_id),
            at=exact(s.requested_at),
            kind=s.kind,
            meter=s.meter_number,
            amount=s.amount,
            state=s.state,
            provider=s.provider,
            outcome=s.outcome,
        )
        for s in found
    )


async def _search(request: web.Request) -> tuple[str, list[Transaction]]:
    text = request.query.get("q", "").strip()[:200]
    store = console_of(request).transactions
    found = await store.search(institution_of(request).id, text or None, normalised_or_none(text))
    return text, found


def _html(request: web.Request, title: str, body: Markup, status: int = 200) -> web.Response:
    session = session_of(request)
    text = page(title, body, session=session, csrf=session.csrf_token)
    return web.Response(text=text, content_type="text/html", status=status)


async def search_page(request: web.Request) -> web.Response:
    """GET /transactions?q=: the institution's matching lookups and purchases, newest first."""
    text, found = await _search(request)
    results = render(_TABLE, rows=_rows([summary(t) for t in found])) if found else ""
    if not found and text:
        results = render(_NOTHING, q=text)
    return _html(request, "Transactions", render(_SEARCH, q=text, results=results))


async def _one(request: web.Request) -> Transaction | None:
    kind = _KINDS.get(request.match_info["kind"])
    if kind is None:
        return None
    store = console_of(request).transactions
    return await store.one(institution_of(request).id, kind, request.match_info["transaction_id"])


async def detail_page(request: web.Request) -> web.Response:
    """GET /transactions/{kind}/{transaction_id}: the summary and the message trace."""
    txn = await _one(request)
    if txn is None:
        message = render(
            '<p class="message" role="status">No such {k} of your institution.</p>',
            k=request.match_info["kind"],
        )
        return _html(request, "Transaction not found", message, status=404)
    s = summary(txn)
    items = join(
        render(
            _ITEM,
            step=i.step,
            title=i.title,
            at=exact(i.at) if i.at else "",
            details=pretty(i.details),
        )
        for i in trace(txn)
    )
    body = render(
        _DETAIL,
        kind=s.kind,
        tid=s.transaction_id,
        meter=s.meter_number,
        amount=s.amount or "n/a",
        state=s.state,
        provider=s.provider,
        outcome=s.outcome,
        items=items,
    )
    return _html(request, f"{s.kind} {s.transaction_id}", body)


def _summary_json(s: Summary) -> dict[str, Any]:
    return asdict(s) | {"requested_at": s.requested_at.isoformat()}


async def search_api(request: web.Request) -> web.Response:
    """GET /api/transactions?q=: the search as JSON."""
    _, found = await _search(request)
    return web.json_response({"transactions": [_summary_json(summary(t)) for t in found]})


async def detail_api(request: web.Request) -> web.Response:
    """GET /api/transactions/{kind}/{transaction_id}: the summary and the trace as JSON."""
    txn = await _one(request)
    if txn is None:
        return web.json_response({"error": "no such transaction of your institution"}, status=404)
    steps = [
        {
            "at": i.at.isoformat() if i.at else None,
            "step": i.step,
            "title": i.title,
            "details": i.details,
        }
        for i in trace(txn)
    ]
    return web.json_response(_summary_json(summary(txn)) | {"trace": steps}, dumps=_dumps)


def _dumps(value: Any) -> str:
    return json.dumps(value, default=str)  # ledger times and decimals as text
