"""The Helm chart's README documents every value of its values.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

CHART = Path(__file__).resolve().parents[3] / "deploy" / "helm" / "ppu-switch"
# Maps whose keys are Kubernetes' own (resources, security contexts) are documented as a whole.
WHOLE = {"resources", "podSecurityContext", "securityContext", "requests", "limits"}


def value_paths(values: dict[str, Any], prefix: str = "") -> list[str]:
    """Dotted paths of the chart's own values, down to the leaves."""
    paths = []
    for key, value in values.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value and key not in WHOLE:
            paths.extend(value_paths(value, f"{path}."))
        else:
            paths.append(path)
    return paths


def test_every_value_is_in_the_readme() -> None:
    """Each value's name appears in the README's table, as its path or its last part."""
    readme = (CHART / "README.md").read_text()
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    missing = [
        p
        for p in value_paths(values)
        if f"`{p}`" not in readme and f"`{p.rsplit('.', 1)[-1]}`" not in readme
    ]
    assert value_paths(values)
    assert missing == []
