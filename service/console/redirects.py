"""Where a sign-in may send the browser next: a path on this console, never another site."""

from __future__ import annotations

import re

DEFAULT = "/meters"
MAX_LENGTH = 2000
# Printable ASCII path characters only: no scheme, no host, no backslash, no whitespace or
# control characters (browsers drop tabs and newlines, so "/\t/evil" would become "//evil").
_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*")


def safe_next(value: object) -> str:
    """The value if it is a path on this site, else the Meter Management page."""
    text = value if isinstance(value, str) else ""
    return text if len(text) <= MAX_LENGTH and _PATH.fullmatch(text) else DEFAULT
