#!/usr/bin/env bash
# Builds Mooring's container images from ./Containerfile, tagged with the release version from
# Sources/Telemetry/MooringVersion.swift, under the names the manifests use:
#   ghcr.io/mooring-dev/{csi-controller,csi-node,cloud-controller-manager,localcloud}:VERSION
#
#   hack/release/build-images.sh [TARGET...]              default: all four, with the first working engine
#                                                 (podman, buildah or docker); the toolchain stage
#                                                 compiles the binaries (needs the base images'
#                                                 registry and the Swift packages' hosts)
#   hack/release/build-images.sh --offline [TARGET...]    no registry needed: podman builds the same stages
#                                                 on a Debian bookworm base made here with debootstrap,
#                                                 from release binaries built on this host
#                                                 (hack/release/build-release.sh) — needs root, podman, runc
#                                                 and debootstrap, and a reachable Debian mirror
#   MOORING_IMAGE_REPO=registry.example/mooring hack/release/build-images.sh   another registry prefix
#   MOORING_ENGINE=docker hack/release/build-images.sh                         choose the engine
#   MOORING_DEBIAN_MIRROR=http://… hack/release/build-images.sh --offline      another Debian mirror
#
# --offline keeps the base as the local image localhost/mooring-base:bookworm and reuses it on the
# next run (podman rmi it to make a fresh one). It prints how long each part took.
#
# Exits 2, saying so, when no engine (or, with --offline, podman, runc or debootstrap) can build
# here.
set -euo pipefail
cd "$(dirname "$0")/../.."

offline=false
if [ "${1:-}" = "--offline" ]; then offline=true; shift; fi
repo=${MOORING_IMAGE_REPO:-ghcr.io/mooring-dev}
version=$(sed -n 's/.*string = "\([^"]*\)".*/\1/p' Sources/Telemetry/MooringVersion.swift)
[ -n "$version" ] || { echo "cannot read the version from Sources/Telemetry/MooringVersion.swift" >&2; exit 1; }
all=(csi-controller csi-node cloud-controller-manager localcloud)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
for target in "${targets[@]}"; do
  case " ${all[*]} " in *" $target "*) ;; *) echo "unknown target $target (known: ${all[*]})" >&2; exit 1 ;; esac
done

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
clock() { date +%s; }
took() { echo "$(( $(clock) - $1 )) s"; }

if $offline; then
  missing=()
  for tool in podman runc debootstrap; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "hack/release/build-images.sh --offline needs ${missing[*]} (apt-get install podman runc debootstrap); nothing was built." >&2
    exit 2
  fi
  [ "$(id -u)" -eq 0 ] || { echo "hack/release/build-images.sh --offline needs root (debootstrap, podman's root store); nothing was built." >&2; exit 2; }
  # runc with explicit limits: podman's defaults (crun, the host's rlimits) do not hold in every
  # sandbox this runs in.
  podman=(podman --runtime runc)
  limits=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
  base=localhost/mooring-base:bookworm
  mirror=${MOORING_DEBIAN_MIRROR:-http://deb.debian.org/debian}
  started=$(clock)

  if "${podman[@]}" image exists "$base"; then
    say "base $base: reusing the one made earlier"
  else
    say "base $base: debootstrap bookworm (minbase) from $mirror"
    t=$(clock)
    rootfs=$(mktemp -d /var/tmp/mooring-base.XXXXXX)
    trap 'rm -rf "$rootfs"' EXIT
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 \
      || { tail -n 20 "$rootfs.log" >&2; echo "debootstrap failed" >&2; exit 1; }
    rm -f "$rootfs.log"
    # As the official image: no package caches, apt lists fetched at build time.
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -c . | "${podman[@]}" import --change 'CMD ["/bin/bash"]' - "$base" >/dev/null
    rm -rf "$rootfs"; trap - EXIT
    echo "base made in $(took "$t")"
  fi

  say "release binaries (hack/release/build-release.sh)"
  t=$(clock)
  hack/release/build-release.sh "${all[@]}" >/dev/null
  bin=$(hack/release/build-release.sh --bin-path)
  context=$(mktemp -d /var/tmp/mooring-images.XXXXXX)
  trap 'rm -rf "$context"' EXIT
  mkdir -p "$context/prebuilt/lib"
  for program in "${all[@]}"; do
    cp "$bin/$program" "$context/prebuilt/"
    strip "$context/prebuilt/$program"
    # Swift runtime libraries the binary loads (none when the standard library is static): ldd
    # says which, and they come from the toolchain's lib/swift/linux.
    ldd "$bin/$program" | awk '$3 ~ /\/swift\// { print $3 }' | while read -r lib; do
      cp -L "$lib" "$context/prebuilt/lib/"
    done
  done
  swiftlibs=$(ls "$context/prebuilt/lib" | tr '\n' ' ')
  echo "binaries ready in $(took "$t") (Swift runtime libraries needed: ${swiftlibs:-none})"

  for target in "${targets[@]}"; do
    image="$repo/$target:$version"
    say "podman: building $image"
    t=$(clock)
    "${podman[@]}" build --network host "${limits[@]}" --build-arg BINARIES=prebuilt \
      --build-arg RUNTIME_IMAGE="$base" --target "$target" -t "$image" -f Containerfile "$context" \
      | grep -E '^(STEP|COMMIT|Successfully|Error|error)' || true
    "${podman[@]}" image exists "$image" || { echo "building $image failed" >&2; exit 1; }
    echo "$image built in $(took "$t")"
  done
  echo "built: ${targets[*]/#/$repo/} (tag $version) in $(took "$started")"
  exit 0
fi

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
  echo "hack/release/build-images.sh: no container engine can build images on this machine; nothing was built." >&2
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
