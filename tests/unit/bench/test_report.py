"""The printed tables and bench-results.json show the lean peer and the targets."""

from __future__ import annotations

import json
import math
from pathlib import Path

from tests.bench.report import peers_table, table, write_json
from tests.bench.stream_bench import parse_args

RESULTS = {
    "broadcast_lookups": {
        "events_per_s": 300.0,
        "baseline_events_per_s": 10.0,
        "speedup": 30.0,
        "lean_events_per_s": 400.0,
        "lean_ratio": 0.75,
        "lean_cpu_ms": 0.9,
        "paced_p50_ms": math.nan,
    },
    "known_lookups": {"events_per_s": 500.0},
}


def test_the_main_table_shows_the_lean_peer_beside_the_naive_consumer() -> None:
    """Columns naive/s, speedup, lean/s and sw/lean follow each other; a missing figure is -."""
    head, broadcast, known = table(RESULTS).splitlines()
    assert "naive/s    speedup     lean/s    sw/lean" in head
    end = head.index("lean/s") + len("lean/s")  # columns are right-aligned, 11 wide
    assert broadcast[end - 11 : end].strip() == "400.0"
    assert known[end - 11 : end].strip() == "-"
    assert "0.75" in broadcast


def test_the_peers_table_has_the_lean_peers_own_cpu() -> None:
    """One row per workload with the switch's, the naive and the lean rate and the lean CPU."""
    lines = peers_table(RESULTS).splitlines()
    assert "lean cpu" in lines[1]
    assert lines[2].split()[:4] == ["broadcast_lookups", "300.0", "10.0", "400.0"]


def test_results_file_has_figures_per_workload_and_the_targets(tmp_path: Path) -> None:
    """NaN becomes null (JSON has none); the targets follow the workloads under `targets`."""
    path = tmp_path / "bench-results.json"
    target = {"name": "x", "workload": "known_lookups", "figure": "switch_cpu_ms"}
    write_json(
        path, RESULTS, [target | {"target": "<= 1.50 ms", "measured": 1.23456, "verdict": "met"}]
    )
    body = json.loads(path.read_text())
    assert body["broadcast_lookups"]["lean_ratio"] == 0.75
    assert body["broadcast_lookups"]["paced_p50_ms"] is None
    assert body["targets"][0]["measured"] == 1.235
    write_json(path, RESULTS)
    assert "targets" not in json.loads(path.read_text())


def test_lean_events_default_to_the_events_and_zero_skips_the_lean_peer() -> None:
    """--lean-events follows --events unless given; 0 is accepted (no lean runs)."""
    assert parse_args(["--events", "1500"]).lean_events == 1500
    assert parse_args(["--events", "1500", "--lean-events", "0"]).lean_events == 0
    assert parse_args([]).lean_events == 4000
