#!/usr/bin/env bash
# The Kubernetes manifests' offline tooling (docs/adr/0014-kubernetes.md), versions pinned in versions.env:
#
#   k8s-tools.sh install   kustomize and kubeconform built from the Go module proxy into
#                          deploy/local/.cache/k8s/bin (harmless when current; `infra.sh install` calls it)
#   k8s-tools.sh bin       print that directory (installing first if needed)
#   k8s-tools.sh schemas   regenerate the shipped JSON Schemas in deploy/k8s/schemas from the registries (after a
#                          version bump in versions.env; needs Go, Maven and a Java 21 or newer for Strimzi's
#                          generator: JAVA21_HOME, else the machine's Temurin under /usr/lib/jvm)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
# shellcheck source=versions.env
source "$HERE/versions.env"
CACHE="$ROOT/deploy/local/.cache/k8s"
BIN="$CACHE/bin"
STAMP="$BIN/.versions"
WANT="kustomize $KUSTOMIZE_VERSION kubeconform $KUBECONFORM_VERSION"

say() { printf '[k8s-tools] %s\n' "$*" >&2; }
die() { printf '[k8s-tools] error: %s\n' "$*" >&2; exit 1; }

install() {
  if [ -x "$BIN/kustomize" ] && [ -x "$BIN/kubeconform" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$WANT" ]; then return; fi
  command -v go >/dev/null 2>&1 || die "go is required: kustomize and kubeconform are built from the Go module proxy"
  say "building kustomize $KUSTOMIZE_VERSION and kubeconform $KUBECONFORM_VERSION from the Go module proxy (first run only)..."
  mkdir -p "$BIN"
  # GOTOOLCHAIN=local: both build with the machine's Go; never fetch another toolchain behind our back.
  GOTOOLCHAIN=local GOBIN="$BIN" go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION" >&2 ||
    die "go install kustomize $KUSTOMIZE_VERSION failed (see above)"
  GOTOOLCHAIN=local GOBIN="$BIN" go install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION" >&2 ||
    die "go install kubeconform $KUBECONFORM_VERSION failed (see above)"
  echo "$WANT" >"$STAMP"
  say "installed in $BIN: kustomize $("$BIN/kustomize" version 2>/dev/null), kubeconform $KUBECONFORM_VERSION"
}

java21() {
  local candidate
  for candidate in "${JAVA21_HOME:-}" /usr/lib/jvm/temurin-*; do
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] || continue
    local major
    major="$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
    if [ "${major%%.*}" -ge 21 ] 2>/dev/null; then echo "$candidate/bin/java"; return; fi
  done
  if command -v java >/dev/null 2>&1; then
    local major
    major="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
    if [ "${major%%.*}" -ge 21 ] 2>/dev/null; then command -v java; return; fi
  fi
  die "Strimzi $STRIMZI_VERSION's CRD generator needs Java 21 or newer: set JAVA21_HOME"
}

go_module_dir() { # module@version -> its extracted directory in the module cache
  (cd "$CACHE" && GOTOOLCHAIN=local go mod download -json "$1") | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const m = JSON.parse(s); if (m.Error) { console.error(m.Error); process.exit(1); } console.log(m.Dir); });'
}

schemas() {
  command -v go >/dev/null 2>&1 || die "go is required (the Kubernetes and MongoDB operator Go modules)"
  command -v mvn >/dev/null 2>&1 || die "mvn is required (Strimzi's jars on Maven Central)"
  local java work kube mongo
  java="$(java21)"
  work="$CACHE/schemas-work"
  rm -rf "$work"
  mkdir -p "$work/crds"
  say "Kubernetes $KUBERNETES_VERSION OpenAPI (k8s.io/kubernetes from the Go module proxy, ~18 MB)..."
  kube="$(go_module_dir "k8s.io/kubernetes@$KUBERNETES_VERSION")" || die "could not download k8s.io/kubernetes@$KUBERNETES_VERSION"
  say "MongoDB Community operator $MONGODB_OPERATOR_VERSION CRD (Go module proxy)..."
  mongo="$(go_module_dir "github.com/mongodb/mongodb-kubernetes-operator@$MONGODB_OPERATOR_VERSION")" ||
    die "could not download the MongoDB Community operator $MONGODB_OPERATOR_VERSION"
  say "Strimzi $STRIMZI_VERSION API and CRD generator (Maven Central)..."
  mvn -q -B -f "$HERE/strimzi/pom.xml" dependency:copy-dependencies -Dstrimzi.version="$STRIMZI_VERSION" \
    -DoutputDirectory="$work/strimzi-libs" >&2 || die "Maven could not fetch Strimzi $STRIMZI_VERSION (see above)"
  # The arguments of Strimzi's own build (api/pom.xml, generate-crd-co-install-v1), for the three kinds used here.
  "$java" -cp "$work/strimzi-libs/*" io.strimzi.crdgenerator.CrdGenerator \
    --crd-api-version v1 --api-versions v1 --storage-version v1 --yaml \
    "io.strimzi.api.kafka.model.kafka.Kafka=$work/crds/kafka.yaml" \
    "io.strimzi.api.kafka.model.nodepool.KafkaNodePool=$work/crds/kafkanodepool.yaml" \
    "io.strimzi.api.kafka.model.topic.KafkaTopic=$work/crds/kafkatopic.yaml" >&2 || die "Strimzi's CRD generator failed (see above)"
  rm -rf "$ROOT/deploy/k8s/schemas"
  node "$HERE/openapi2jsonschema.mjs" --kubernetes "$kube/api/openapi-spec/v3" \
    --crd "$work/crds/kafka.yaml" --crd "$work/crds/kafkanodepool.yaml" --crd "$work/crds/kafkatopic.yaml" \
    --crd "$mongo/config/crd/bases/mongodbcommunity.mongodb.com_mongodbcommunity.yaml" \
    --out "$ROOT/deploy/k8s/schemas" >&2
  {
    echo "Generated by deploy/k8s/tools/k8s-tools.sh schemas; do not edit. Sources:"
    echo "k8s.io/kubernetes $KUBERNETES_VERSION api/openapi-spec/v3"
    echo "io.strimzi:api $STRIMZI_VERSION via io.strimzi:crd-generator $STRIMZI_VERSION"
    echo "github.com/mongodb/mongodb-kubernetes-operator $MONGODB_OPERATOR_VERSION config/crd/bases"
  } >"$ROOT/deploy/k8s/schemas/SOURCES.txt"
  rm -rf "$work"
  say "schemas written to deploy/k8s/schemas"
}

case "${1:-}" in
  install) install ;;
  bin)
    install
    echo "$BIN"
    ;;
  schemas) schemas ;;
  *)
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
