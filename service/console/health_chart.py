"""Provider health charts over the last hour, drawn on the server as SVG (no script, no CDN).

Snapshots are put in one-minute buckets; in each bucket every instance's newest snapshot
counts: the worst p50/p99 of the instances, and errors + timeouts over all their requests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from service.console.health_view import Classes
from service.console.html import Markup, join, render
from service.console.numbers import duration_ms, share
from service.observability.snapshot import MetricsSnapshot

BUCKETS = 60
WIDTH, HEIGHT, PAD = 600, 160, 34
_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}"
 role="img" aria-labelledby="t"><title id="t">{title}</title>
<rect x="{pad}" y="6" width="{pw}" height="{ph}" fill="#fafafa" stroke="#ccc"/>
<text x="{lx}" y="14" font-size="10" text-anchor="end" font-family="sans-serif">{top}</text>
<text x="{lx}" y="{by}" font-size="10" text-anchor="end" font-family="sans-serif">0</text>
<text x="{pad}" y="{ty}" font-size="10" font-family="sans-serif">60 min ago</text>
<text x="{rx}" y="{ty}" font-size="10" text-anchor="end" font-family="sans-serif">now</text>
{lines}{legend}{empty}</svg>"""
_LINE = (
    '<g class="series" data-series="{name}"><polyline fill="none" stroke="{colour}"'
    ' stroke-width="1.5" points="{points}"/>{dots}</g>'
)
_DOT = '<circle cx="{x}" cy="{y}" r="2.5" fill="{colour}"/>'  # a lone minute still shows
_LEGEND = (
    '<text x="{x}" y="{y}" font-size="10" fill="{colour}" font-family="sans-serif">{name}</text>'
)
_EMPTY = (
    '<text x="{x}" y="{y}" font-size="12" text-anchor="middle" font-family="sans-serif">'
    "No figures in the last hour</text>"
)


@dataclass(frozen=True, kw_only=True)
class Point:
    """One minute of one provider."""

    minute: int
    p50: float | None
    p99: float | None
    bad_rate: float | None


def points(history: Sequence[MetricsSnapshot], provider_id: str, now: datetime) -> list[Point]:
    """The provider's one-minute points, oldest first; minutes without figures are left out."""
    start = now - timedelta(minutes=BUCKETS)
    buckets: dict[int, dict[str, MetricsSnapshot]] = {}
    for snapshot in history:
        minute = int((snapshot.occurred_at - start).total_seconds() // 60)
        if 0 <= minute < BUCKETS:
            buckets.setdefault(minute, {})[snapshot.instance_id] = snapshot
    found = []
    for minute, by_instance in sorted(buckets.items()):
        figures = [
            p for s in by_instance.values() for p in s.providers if p.provider_id == provider_id
        ]
        if not figures:
            continue
        classes = Classes.of(figures)
        found.append(
            Point(
                minute=minute,
                p50=max(
                    (f.latency_p50_ms for f in figures if f.latency_p50_ms is not None),
                    default=None,
                ),
                p99=max(
                    (f.latency_p99_ms for f in figures if f.latency_p99_ms is not None),
                    default=None,
                ),
                bad_rate=classes.rate(classes.errors + classes.timeouts),
            )
        )
    return found


def _polyline(name: str, colour: str, values: Sequence[tuple[int, float]], top: float) -> Markup:
    pw, ph = WIDTH - PAD - 6, HEIGHT - 30
    xy = [
        (f"{PAD + pw * m / (BUCKETS - 1):.1f}", f"{6 + ph * (1 - v / top):.1f}") for m, v in values
    ]
    dots = join(render(_DOT, x=x, y=y, colour=colour) for x, y in xy)
    coords = " ".join(f"{x},{y}" for x, y in xy)
    return render(_LINE, name=name, colour=colour, points=coords, dots=dots)


def _svg(
    title: str, top_label: str, lines: Markup, legend: Sequence[tuple[str, str]], empty: bool
) -> Markup:
    keys = join(
        render(_LEGEND, x=PAD + 8 + 60 * i, y=20, colour=colour, name=name)
        for i, (name, colour) in enumerate(legend)
    )
    return render(
        _SVG,
        w=WIDTH,
        h=HEIGHT,
        pad=PAD,
        pw=WIDTH - PAD - 6,
        ph=HEIGHT - 30,
        title=title,
        lx=PAD - 3,
        by=HEIGHT - 24,
        ty=HEIGHT - 6,
        rx=WIDTH - 6,
        top=top_label,
        lines=lines,
        legend=keys,
        empty=render(_EMPTY, x=WIDTH / 2, y=HEIGHT / 2) if empty else "",
    )


def latency_chart(provider: str, series: Sequence[Point]) -> Markup:
    """p50 and p99 latency per minute."""
    p50 = [(p.minute, p.p50) for p in series if p.p50 is not None]
    p99 = [(p.minute, p.p99) for p in series if p.p99 is not None]
    top = max([v for _, v in p50 + p99] or [1.0]) * 1.1
    lines = join([_polyline("p50", "#0b61a4", p50, top), _polyline("p99", "#d9730d", p99, top)])
    title = f"{provider}: p50 and p99 latency, last hour"
    return _svg(
        title, duration_ms(top), lines, [("p50", "#0b61a4"), ("p99", "#d9730d")], not series
    )


def error_chart(provider: str, series: Sequence[Point]) -> Markup:
    """Errors + timeouts as a share of requests per minute (declines do not count)."""
    bad = [(p.minute, p.bad_rate) for p in series if p.bad_rate is not None]
    lines = _polyline("errors+timeouts", "#b00020", bad, 1.0)
    title = f"{provider}: errors and timeouts, share of requests, last hour"
    return _svg(title, share(1.0), lines, [("errors + timeouts", "#b00020")], not series)
