"""Every metric the alerts and the Grafana dashboard use is one the service exports."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from service.observability.ledger import LedgerCollector, LedgerReader
from service.observability.observatory import Observatory
from service.observability.prometheus import Exporter
from tests.unit.observability.test_exposition import FakeRunner

ROOT = Path(__file__).resolve().parents[3]
METRIC = re.compile(r"\b((?:ppu|process|python)_[a-z0-9_]+)\b")
SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "gauge": ("",),
    "info": ("_info",),
}


def exported_names() -> set[str]:
    """The sample names a scrape of the service can show, labelled or not."""
    observatory = Observatory(window_s=60)
    exporter = Exporter(
        instruments=observatory.instruments,
        observatory=observatory,
        runner=FakeRunner({}),
        pool=None,
    )
    exporter.registry.register(LedgerCollector(LedgerReader(pool=None)))
    names = set()
    for family in exporter.registry.collect():
        names.update(family.name + suffix for suffix in SUFFIXES.get(family.type, ("",)))
    return names


def alert_expressions() -> list[str]:
    """The expressions of every rule in deploy/prometheus/alerts.yaml."""
    rules = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yaml").read_text())
    return [rule["expr"] for group in rules["groups"] for rule in group["rules"]]


def dashboard_expressions() -> list[str]:
    """The queries of every panel and variable of the Grafana dashboard."""
    found: list[str] = []
    for path in sorted((ROOT / "deploy/grafana").glob("*.json")):
        dashboard: dict[str, Any] = json.loads(path.read_text())
        for panel in dashboard["panels"]:
            found.extend(t["expr"] for t in panel.get("targets", []))
        found.extend(
            v["query"] for v in dashboard["templating"]["list"] if v.get("type") == "query"
        )
    return found


@pytest.mark.parametrize(
    "expr", [*alert_expressions(), *dashboard_expressions()], ids=lambda e: e[:60]
)
def test_expression_uses_only_exported_metrics(expr: str) -> None:
    """Each expression names at least one metric, and only metrics the service exports."""
    used = set(METRIC.findall(expr))
    assert used, f"no metric of the service in {expr!r}"
    assert used <= exported_names(), f"not exported: {sorted(used - exported_names())}"


def test_the_files_have_expressions_at_all() -> None:
    """The parametrised test above cannot pass by finding nothing."""
    assert len(alert_expressions()) >= 8
    assert len(dashboard_expressions()) >= 15
