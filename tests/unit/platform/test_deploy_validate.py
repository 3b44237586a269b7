"""The offline manifest checks of `make deploy-check` catch what they are there to catch."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[3]


def validator() -> ModuleType:
    """deploy/helm/validate.py, loaded by path (it is a script, not a package module)."""
    spec = importlib.util.spec_from_file_location("validate", ROOT / "deploy/helm/validate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def deployment(env: dict[str, str], grace: int) -> dict[str, Any]:
    """A Deployment with one container and the given environment."""
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "switch"},
        "spec": {
            "selector": {"matchLabels": {"app": "s"}},
            "template": {
                "metadata": {"labels": {"app": "s"}},
                "spec": {
                    "terminationGracePeriodSeconds": grace,
                    "containers": [
                        {
                            "name": "switch",
                            "image": "i:1",
                            "env": [{"name": k, "value": v} for k, v in env.items()],
                        }
                    ],
                },
            },
        },
    }


def scaled(most: int, **metadata: str) -> dict[str, Any]:
    """A ScaledObject with one kafka trigger."""
    return {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": {"name": "switch"},
        "spec": {
            "scaleTargetRef": {"name": "switch"},
            "maxReplicaCount": most,
            "triggers": [
                {
                    "type": "kafka",
                    "metadata": {"bootstrapServers": "k:9092", "consumerGroup": "g", **metadata},
                }
            ],
        },
    }


def test_the_chart_rules_catch_literal_secrets_short_grace_and_idle_replicas() -> None:
    """A password in env, grace not above the drain, more replicas than partitions."""
    v = validator()
    good = deployment({"PPU_ENGINE_DRAIN_DEADLINE_S": "100", "PPU_INPUT_PARTITIONS": "4"}, 130)
    assert v.rule_problems([good, scaled(4)]) == []
    bad = deployment(
        {
            "PPU_ENGINE_DRAIN_DEADLINE_S": "100",
            "PPU_INPUT_PARTITIONS": "4",
            "PPU_PROVIDER_1_PASSWORD": "hunter2",
        },
        100,
    )
    problems = " | ".join(v.rule_problems([bad, scaled(8)]))
    assert "PPU_PROVIDER_1_PASSWORD" in problems
    assert "terminationGracePeriodSeconds 100 <= drain 100" in problems
    assert "maxReplicaCount 8 > 4" in problems


def test_the_schemas_catch_a_kubernetes_typo_and_a_bad_keda_trigger() -> None:
    """Strict Kubernetes schemas refuse unknown fields; the KEDA schema refuses a bad value."""
    v = validator()
    keda = json.loads((ROOT / "deploy/helm/schemas/keda-scaledobject.schema.json").read_text())
    good = deployment({}, 30)
    assert v.schema_problems(good, "1.30.0", keda) == []
    good["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Always"
    assert "imagePullPolicyy" in " ".join(v.schema_problems(good, "1.30.0", keda))
    assert v.schema_problems(scaled(4, lagThreshold="10"), "1.30.0", keda) == []
    assert v.schema_problems(scaled(4, lagThreshold="ten"), "1.30.0", keda)
    assert v.schema_problems(scaled(4, lagTreshold="10"), "1.30.0", keda)
