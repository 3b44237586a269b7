"""The README's example output events are valid against the exported JSON Schemas."""

from __future__ import annotations

import json
import re
from pathlib import Path

from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[3]


def _examples() -> list[tuple[str, dict[str, object]]]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Output events, by example")[1].split("\n## ")[0]
    found = []
    for block in section.split("```json\n")[1:]:
        body = block.split("\n```")[0]
        event = json.loads(body)
        before = section.split(body)[0]
        topic = re.findall(r"`(ppu\.[a-z.-]+)`", before)[-1]
        found.append((topic, event))
    return found


def test_every_readme_example_validates() -> None:
    """Each example names its topic just before it and matches that topic's schema."""
    examples = _examples()
    assert len(examples) >= 7
    for topic, event in examples:
        schema = json.loads((ROOT / "schemas" / "jsonschema" / f"{topic}.json").read_text())
        Draft202012Validator(schema).validate(event)
