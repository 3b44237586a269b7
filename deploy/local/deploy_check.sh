#!/usr/bin/env bash
# `make deploy-check`: the Prometheus rules (promtool check + unit tests) and the Helm chart
# (helm lint, helm template for a small and a large values file, every object validated offline).
# Usage: deploy_check.sh PYTHON   (the venv's python, with kubernetes-validate installed)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PYTHON=${1:?usage: deploy_check.sh PYTHON}
ROOT=$(cd "$HERE/../.." && pwd)
CHART="$ROOT/deploy/helm/ppu-switch"
KUBE_VERSION=${PPU_KUBE_VERSION:-1.30.0}
OUT="$STATE_DIR/deploy-check"

"$HERE/gotools.sh" helm promtool
HELM="$CACHE_DIR/bin/helm"
PROMTOOL="$CACHE_DIR/bin/promtool"
rm -rf "$OUT"; mkdir -p "$OUT"
# Helm keeps its caches in the state dir, never in the user's home.
export HELM_CACHE_HOME="$OUT/helm-cache" HELM_CONFIG_HOME="$OUT/helm-config" \
  HELM_DATA_HOME="$OUT/helm-data"

say "promtool: rules and their unit tests"
"$PROMTOOL" check rules "$ROOT/deploy/prometheus/alerts.yaml"
"$PROMTOOL" test rules "$ROOT/deploy/prometheus/alerts.test.yaml"

for size in small large; do
  values="$CHART/ci/$size-values.yaml"
  say "helm lint and template: $size"
  "$HELM" lint --strict --kube-version "$KUBE_VERSION" "$CHART" -f "$values" >"$OUT/lint-$size.log" \
    || { cat "$OUT/lint-$size.log" >&2; exit 1; }
  "$HELM" template ppu "$CHART" -f "$values" --kube-version "$KUBE_VERSION" \
    --namespace ppu >"$OUT/$size.yaml"
done

say "validating every rendered object (Kubernetes $KUBE_VERSION schemas, KEDA schema)"
"$PYTHON" "$ROOT/deploy/helm/validate.py" --kube-version "$KUBE_VERSION" "$OUT/small.yaml" "$OUT/large.yaml"

# The chart must refuse more replicas than input partitions rather than render idle ones.
if "$HELM" template ppu "$CHART" --kube-version "$KUBE_VERSION" --set inputPartitions=4 --set autoscaling.maxReplicas=8 \
    >/dev/null 2>"$OUT/refusal.log"; then
  say "helm template accepted autoscaling.maxReplicas above inputPartitions"; exit 1
fi
grep -q "must not exceed inputPartitions" "$OUT/refusal.log"
say "deploy-check: OK"
