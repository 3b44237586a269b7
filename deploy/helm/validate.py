"""Validates rendered chart manifests offline: Kubernetes objects against the Kubernetes schemas
(kubernetes-validate, strict), the KEDA ScaledObject against our schema, and the chart's rules.

Usage: python deploy/helm/validate.py --kube-version 1.30.0 RENDERED.yaml...
Exits 1 naming every object and problem found; prints one summary line per file otherwise.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

KEDA_SCHEMA = Path(__file__).parent / "schemas" / "keda-scaledobject.schema.json"
# Values that must come from the Secret, never from a literal in the chart or a values file.
SECRET_VARS = ("PASSWORD", "DATABASE_URL", "CONSOLE_SECRET")


def _containers(obj: dict[str, Any]) -> Iterator[dict[str, Any]]:
    pod = obj.get("spec", {}).get("template", {}).get("spec", {})
    yield from pod.get("containers", [])


def _env(container: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e.get("value", "") for e in container.get("env", []) if "value" in e}


def rule_problems(objects: list[dict[str, Any]]) -> list[str]:
    """The chart's own rules: secrets by reference, grace above drain, replicas per partition."""
    problems: list[str] = []
    for obj in objects:
        name = f"{obj['kind']}/{obj['metadata']['name']}"
        for container in _containers(obj):
            env = _env(container)
            literal = [k for k in env if any(s in k for s in SECRET_VARS)]
            if literal:
                problems.append(f"{name}: secret values set literally: {literal}")
            drain = env.get("PPU_ENGINE_DRAIN_DEADLINE_S")
            grace = obj["spec"]["template"]["spec"].get("terminationGracePeriodSeconds", 30)
            if drain is not None and grace <= float(drain):
                problems.append(f"{name}: terminationGracePeriodSeconds {grace} <= drain {drain}")
    partitions = [
        int(_env(c)["PPU_INPUT_PARTITIONS"])
        for o in objects
        for c in _containers(o)
        if "PPU_INPUT_PARTITIONS" in _env(c)
    ]
    for obj in objects:
        if obj["kind"] == "ScaledObject" and partitions:
            most = obj["spec"].get("maxReplicaCount", 100)
            if most > min(partitions):
                problems.append(f"ScaledObject: maxReplicaCount {most} > {min(partitions)} parts")
    return problems


def schema_problems(obj: dict[str, Any], kube_version: str, keda: dict[str, Any]) -> list[str]:
    """One object against its schema."""
    name = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
    try:
        if obj.get("kind") == "ScaledObject":
            jsonschema.validate(obj, keda)
        else:
            kubernetes_validate.validate(obj, kube_version, strict=True)
    except (jsonschema.ValidationError, kubernetes_validate.ValidationError) as exc:
        path = "/".join(str(p) for p in exc.path)
        return [f"{name}: {path}: {exc.message}"]
    except kubernetes_validate.SchemaNotFoundError as exc:
        return [f"{name}: no schema ({exc})"]
    return []


def check_file(path: Path, kube_version: str, keda: dict[str, Any]) -> list[str]:
    """Every object of one rendered file."""
    objects = [d for d in yaml.safe_load_all(path.read_text()) if d]
    problems = [p for o in objects for p in schema_problems(o, kube_version, keda)]
    problems += rule_problems(objects)
    kinds = sorted({o["kind"] for o in objects})
    print(f"{path.name}: {len(objects)} objects ({', '.join(kinds)}): {len(problems)} problems")
    return problems


def main(argv: list[str] | None = None) -> int:
    """Check each file; exit 1 when anything is wrong."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kube-version", default="1.30.0")
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    keda = json.loads(KEDA_SCHEMA.read_text())
    problems = [p for f in args.files for p in check_file(f, args.kube_version, keda)]
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
