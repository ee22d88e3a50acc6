#!/usr/bin/env bash
# Builds Mooring's container images from ./Containerfile with the first working container engine
# (podman, buildah or docker), tagged with the release version from
# Sources/CSIDriver/MooringVersion.swift:
#   ghcr.io/mooring-dev/{csi-controller,csi-node,cloud-controller-manager,localcloud}:VERSION
#
#   hack/build-images.sh [TARGET...]      default: all four
#   MOORING_IMAGE_REPO=registry.example/mooring hack/build-images.sh   another registry prefix
#   MOORING_ENGINE=docker hack/build-images.sh                         choose the engine
#
# Exits 2, saying so, when no engine is installed or none can build here (e.g. a docker client
# with no daemon behind it). The toolchain stage fetches the Swift packages, so building needs
# network access to them.
set -euo pipefail
cd "$(dirname "$0")/.."

repo=${MOORING_IMAGE_REPO:-ghcr.io/mooring-dev}
version=$(sed -n 's/.*string = "\([^"]*\)".*/\1/p' Sources/CSIDriver/MooringVersion.swift)
[ -n "$version" ] || { echo "cannot read the version from Sources/CSIDriver/MooringVersion.swift" >&2; exit 1; }
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(csi-controller csi-node cloud-controller-manager localcloud)

works() {  # whether engine $1 is installed and can build on this machine
  command -v "$1" >/dev/null 2>&1 || return 1
  case "$1" in
    docker) docker info >/dev/null 2>&1 ;;
    podman) podman info >/dev/null 2>&1 ;;
    buildah) buildah info >/dev/null 2>&1 ;;
  esac
}

engine=""
tried=()
for candidate in ${MOORING_ENGINE:-podman buildah docker}; do
  if works "$candidate"; then engine=$candidate; break; fi
  if command -v "$candidate" >/dev/null 2>&1; then
    tried+=("$candidate (installed, but '$candidate info' fails: no daemon or no permission)")
  else
    tried+=("$candidate (not installed)")
  fi
done
if [ -z "$engine" ]; then
  echo "hack/build-images.sh: no container engine can build images on this machine; nothing was built." >&2
  printf '  %s\n' "${tried[@]}" >&2
  echo "Install podman (apt-get install podman) or start a docker daemon, then run this again." >&2
  exit 2
fi

for target in "${targets[@]}"; do
  image="$repo/$target:$version"
  printf '\033[1m==> %s: building %s\033[0m\n' "$engine" "$image"
  case "$engine" in
    buildah) buildah bud --layers --target "$target" -t "$image" -f Containerfile . ;;
    *) "$engine" build --target "$target" -t "$image" -f Containerfile . ;;
  esac
done
echo "built: ${targets[*]/#/$repo/} (tag $version)"
