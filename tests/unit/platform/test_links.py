"""The repository explains itself: every Markdown link resolves to a file inside it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[3]
# [text](target) and [text](target "title"); images too. Autolinks <scheme:...> separately.
_INLINE = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
_AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.-]*:[^>\s]+)>")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"`[^`\n]*`")


def tracked_markdown() -> list[Path]:
    """Every Markdown file git tracks in this repository."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--", "*.md"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [ROOT / name for name in listed.split("\0") if name]


def _prose(text: str) -> str:
    """The text without code blocks and code spans, where brackets are not links."""
    return _CODE_SPAN.sub("", _FENCE.sub("", text))


def links(text: str) -> list[str]:
    """Every link target written in a Markdown text."""
    prose = _prose(text)
    return [*_INLINE.findall(prose), *_REFERENCE.findall(prose), *_AUTOLINK.findall(prose)]


def slug(heading: str) -> str:
    """The anchor a heading gets: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The heading anchors of a Markdown file."""
    prose = _FENCE.sub("", path.read_text(encoding="utf-8"))
    return {slug(h) for h in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", prose, re.MULTILINE)}


def problem(source: Path, target: str) -> str | None:
    """Why a link from `source` does not resolve inside the repository, or None when it does."""
    if _SCHEME.match(target):
        return "points outside the repository"
    path_part, _, fragment = target.partition("#")
    resolved = (source.parent / unquote(path_part)).resolve() if path_part else source
    if path_part.startswith("/") or not resolved.is_relative_to(ROOT):
        return "points outside the repository"
    if not resolved.exists():
        return "points to a missing file"
    if fragment and resolved.suffix == ".md" and fragment not in anchors(resolved):
        return f"names a missing heading #{fragment}"
    return None


def test_every_markdown_link_resolves_inside_the_repository() -> None:
    """No tracked Markdown file links outside the repository or to a missing file or heading."""
    broken = [
        f"{source.relative_to(ROOT)}: {target} {why}"
        for source in tracked_markdown()
        for target in links(source.read_text(encoding="utf-8"))
        if (why := problem(source, target)) is not None
    ]
    assert broken == []


def test_no_markdown_mentions_a_sibling_checkout() -> None:
    """A clone has no ../shared/: nothing tells a reader to look there."""
    mentions = [
        str(source.relative_to(ROOT))
        for source in tracked_markdown()
        if "../shared/" in source.read_text(encoding="utf-8")
    ]
    assert mentions == []


def test_the_checker_catches_bad_links(tmp_path: Path) -> None:
    """The checker itself: outside, absolute, missing files and headings fail; good ones pass."""
    doc = ROOT / "README.md"
    assert problem(doc, "https://example.org/") == "points outside the repository"
    assert problem(doc, "../shared/DESIGN.md") == "points outside the repository"
    assert problem(doc, "/etc/passwd") == "points outside the repository"
    assert problem(doc, "no-such-file.md") == "points to a missing file"
    assert (
        problem(doc, "CONTRIBUTING.md#no-such-heading")
        == "names a missing heading #no-such-heading"
    )
    assert problem(doc, "CONTRIBUTING.md#conventions") is None
    assert problem(doc, "#benchmarks") is None
    sample = '[a](x.md) [b](<y.md> "t") `[c](z.md)` <https://e.org>\n\n[d]: w.md\n```\n[e](v)\n```'
    assert sorted(links(sample)) == ["https://e.org", "w.md", "x.md", "y.md"]
    assert (
        slug("Default behaviour: Electrum's test meters")
        == "default-behaviour-electrums-test-meters"
    )
