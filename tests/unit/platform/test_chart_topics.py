"""The chart's KEDA triggers watch exactly the switch's input topics."""

from __future__ import annotations

import re
from pathlib import Path

from service.topics import INPUTS

TEMPLATE = (
    Path(__file__).resolve().parents[3] / "deploy/helm/ppu-switch/templates/scaledobject.yaml"
)


def test_scaled_object_triggers_name_every_input_topic() -> None:
    """A topic added to the switch's inputs and not to the chart would scale on partial lag."""
    listed = re.search(r"range list ((?:\"[^\"]+\" ?)+)", TEMPLATE.read_text())
    assert listed
    assert set(re.findall(r"\"([^\"]+)\"", listed.group(1))) == {t.value for t in INPUTS}
