"""Safe redirects and JSON depth: what the sign-in's `next` and the API's bodies may be."""

from __future__ import annotations

import pytest

from service.console.limits import _depth
from service.console.redirects import DEFAULT, safe_next


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "/\t/evil.example/",
        "/\n/evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "https://evil.example/",
        "javascript:alert(1)",
        "evil.example",
        "",
        "/meters\r\nSet-Cookie: x=1",
        "/" + "a" * 3000,
    ],
)
def test_anything_but_a_path_on_this_site_goes_to_meters(target: str) -> None:
    """Other hosts, schemes, backslashes and control characters are refused."""
    assert safe_next(target) == DEFAULT


@pytest.mark.parametrize("target", ["/meters/0412?x=1", "/providers", "/routing", "/a%2Fb"])
def test_paths_on_this_site_are_kept(target: str) -> None:
    """A same-origin path (with its query) is where the user goes after sign-in."""
    assert safe_next(target) == target


def test_depth_counts_nesting_and_ignores_brackets_inside_strings() -> None:
    """Brackets in strings (escaped quotes included) do not count."""
    assert _depth("[[1]]") == 2
    assert _depth('{"a\\"[[[": [1]}') == 2
    assert _depth('"\\\\" [[1]]') == 2
    assert _depth("[" * 5000) == 5000
