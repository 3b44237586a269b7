"""Auto-escaping HTML: every value put into a template is escaped unless it is `Markup`."""

from __future__ import annotations

import html
from collections.abc import Iterable
from urllib.parse import quote


class Markup(str):
    """HTML that is already safe: built by `render` or `join` only."""

    __slots__ = ()


def escape(value: object) -> Markup:
    """The value as HTML text; `Markup` passes through unchanged."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape("" if value is None else str(value), quote=True))


def render(template: str, **values: object) -> Markup:
    """`template` (str.format syntax, a literal) with every value escaped."""
    return Markup(template.format(**{k: escape(v) for k, v in values.items()}))


def join(parts: Iterable[Markup]) -> Markup:
    """Safe fragments side by side."""
    return Markup("".join(escape(p) for p in parts))


def path_segment(value: str) -> str:
    """A value as one URL path segment (a meter number may hold any character)."""
    return quote(value, safe="")
