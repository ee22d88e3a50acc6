#!/usr/bin/env bash
# csi-sanity (kubernetes-csi/csi-test) against a CSI driver on a fresh localcloud, as root:
#
#   hack/check/sanity.sh --csi-sanity BIN [--storage block|vfs] [--vultr-csi BIN] [--skip REGEX] [-- extra csi-sanity args]
#
# Without --vultr-csi: Mooring's own csi-controller and csi-node (from `swift build
# --show-bin-path`, or MOORING_BIN_DIR) on localcloud with real loop devices, the StorageClass
# parameters of Vultr's class for --storage (block: storage_type=block disk_type=nvme; vfs:
# storage_type=vfs disk_type=nvme, csi-node --vfs-dir sharing localcloud's --vfs-dir). A VFS has no
# snapshots or clones, so the vfs run skips the specs that snapshot or clone their volume.
#
# With --vultr-csi BIN: Vultr's own driver (vultr-csi, built from its public source outside this
# repository; never committed), unchanged and unproxied, against the same localcloud. vultr-csi reads
# its instance's metadata from the fixed address http://169.254.169.254/v1.json, so everything runs
# in a private network namespace where that address is on `lo` and localcloud listens on it (port
# 80) for both the API and the metadata document, and in a private mount namespace where
# /dev/disk/by-id (vultr-csi's fixed device directory) is localcloud's --device-dir.
#
# Exit status is csi-sanity's. Logs and the JUnit report go to $SANITY_OUT (default a temp dir).
set -euo pipefail

CSI_SANITY="" VULTR_CSI="" STORAGE=block SKIP_RE=""
EXTRA=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --csi-sanity) CSI_SANITY=$2; shift 2 ;;
    --vultr-csi) VULTR_CSI=$2; shift 2 ;;
    --storage) STORAGE=$2; shift 2 ;;
    --skip) SKIP_RE=${SKIP_RE:+$SKIP_RE|}$2; shift 2 ;;
    --) shift; EXTRA=("$@"); break ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[[ -n "$CSI_SANITY" ]] || { echo "--csi-sanity BIN is required (build kubernetes-csi/csi-test's cmd/csi-sanity; it is not part of Mooring)" >&2; exit 2; }
[[ -x "$CSI_SANITY" ]] || { echo "csi-sanity not found or not executable at $CSI_SANITY" >&2; exit 2; }
if [[ -n "$VULTR_CSI" && ! -x "$VULTR_CSI" ]]; then
  echo "vultr-csi not found or not executable at $VULTR_CSI (build vultr/vultr-csi's cmd/csi-vultr-driver yourself; it is not part of Mooring)" >&2
  exit 2
fi
[[ "$STORAGE" == block || "$STORAGE" == vfs ]] || { echo "--storage must be block or vfs" >&2; exit 2; }
[[ $(id -u) -eq 0 ]] || { echo "run as root: loop devices and mounts" >&2; exit 2; }

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${MOORING_BIN_DIR:-$(cd "$REPO" && swift build --show-bin-path)}
OUT=${SANITY_OUT:-$(mktemp -d /tmp/sanity.XXXXXX)}
mkdir -p "$OUT"
KEY=sanity-key-$RANDOM$RANDOM
echo "logs in $OUT"

cat >"$OUT/parameters.yaml" <<EOF
storage_type: $STORAGE
disk_type: nvme
EOF
# One skip pattern (ginkgo keeps only the last --ginkgo.skip).
if [[ "$STORAGE" == vfs ]]; then SKIP_RE=${SKIP_RE:+$SKIP_RE|}"[Ss]napshot|source volume"; fi
SKIP=()
if [[ -n "$SKIP_RE" ]]; then SKIP=("--ginkgo.skip=$SKIP_RE"); fi

wait_for() { # URL
  for _ in $(seq 1 150); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "nothing answers at $1" >&2; return 1
}
wait_socket() { # PATH
  for _ in $(seq 1 150); do [[ -S "$1" ]] && return 0; sleep 0.1; done
  echo "no socket at $1" >&2; return 1
}

if [[ -z "$VULTR_CSI" ]]; then
  PIDS=()
  cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
  trap cleanup EXIT
  PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  URL=http://127.0.0.1:$PORT
  LOCALCLOUD_API_KEY=$KEY "$BIN/localcloud" --listen 127.0.0.1:$PORT --data-dir "$OUT/cloud" --real-devices \
    --device-dir "$OUT/dev" --vfs-dir "$OUT/vfs" --pending-ms 100 --rate-limit 0 >"$OUT/localcloud.log" 2>&1 &
  PIDS+=($!)
  wait_for "$URL/healthz"
  INSTANCE=$(curl -fsS -H "Authorization: Bearer $KEY" -d '{"region":"ewr","plan":"vc2-1c-1gb","label":"sanity"}' \
    "$URL/v2/instances" | python3 -c 'import json,sys; print(json.load(sys.stdin)["instance"]["id"])')
  VULTR_API_KEY=$KEY "$BIN/csi-controller" --endpoint "unix://$OUT/controller.sock" --api-url "$URL" --region ewr \
    >"$OUT/controller.log" 2>&1 &
  PIDS+=($!)
  "$BIN/csi-node" --endpoint "unix://$OUT/node.sock" --device-dir "$OUT/dev" --vfs-dir "$OUT/vfs" \
    --metadata-url "$URL/v1.json?instance_id=$INSTANCE" >"$OUT/node.log" 2>&1 &
  PIDS+=($!)
  wait_socket "$OUT/controller.sock"; wait_socket "$OUT/node.sock"
  set +e
  "$CSI_SANITY" -csi.endpoint "unix://$OUT/node.sock" -csi.controllerendpoint "unix://$OUT/controller.sock" \
    -csi.mountdir "$OUT/mnt" -csi.stagingdir "$OUT/staging" -csi.testvolumeparameters "$OUT/parameters.yaml" \
    -csi.testvolumesize $((10 << 30)) -csi.testvolumeexpandsize $((20 << 30)) \
    --ginkgo.junit-report "$OUT/junit.xml" "${SKIP[@]}" "${EXTRA[@]}" 2>&1 | tee "$OUT/sanity.log"
  exit "${PIPESTATUS[0]}"
fi

# Vultr's driver: a private network namespace with 169.254.169.254 on lo.
NETNS=sanity-$$
ip netns add "$NETNS"
trap 'ip netns pids "$NETNS" 2>/dev/null | xargs -r kill 2>/dev/null; sleep 1; ip netns del "$NETNS" 2>/dev/null || true' EXIT
ip -n "$NETNS" link set lo up
ip -n "$NETNS" addr add 169.254.169.254/32 dev lo
# The metadata document names the instance whose address a request comes from: make connections to
# 169.254.169.254 come from the instance's main_ip (localcloud's first public address).
ip -n "$NETNS" addr add 127.1.0.1/32 dev lo

SANITY_EXTRA="${EXTRA[*]}"
export KEY OUT BIN VULTR_CSI CSI_SANITY SANITY_EXTRA SKIP_RE
# A private mount namespace for /dev/disk/by-id; the script below runs in both namespaces.
ip netns exec "$NETNS" unshare --mount --propagation private bash -euo pipefail -c '
  mkdir -p "$OUT/by-id" /dev/disk/by-id
  mount --bind "$OUT/by-id" /dev/disk/by-id
  LOCALCLOUD_API_KEY=$KEY "$BIN/localcloud" --listen 169.254.169.254:80 --data-dir "$OUT/cloud" --real-devices \
    --device-dir /dev/disk/by-id --vfs-dir "$OUT/vfs" --pending-ms 100 --rate-limit 0 \
    --public-pool 127.1.0.0/16 >"$OUT/localcloud.log" 2>&1 &
  CLOUD=$!
  trap "kill \$CLOUD \$DRIVER 2>/dev/null; wait" EXIT
  for _ in $(seq 1 150); do curl -fsS -o /dev/null http://169.254.169.254/healthz && break; sleep 0.1; done
  curl -fsS -H "Authorization: Bearer $KEY" -d "{\"region\":\"ewr\",\"plan\":\"vc2-1c-1gb\",\"label\":\"sanity\"}" \
    http://169.254.169.254/v2/instances >"$OUT/instance.json"
  ip route replace local 169.254.169.254 dev lo table local src 127.1.0.1
  sleep 0.3
  curl -fsS http://169.254.169.254/v1.json >"$OUT/metadata.json"
  "$VULTR_CSI" --endpoint "unix://$OUT/vultr.sock" --token "$KEY" --api-url http://169.254.169.254 \
    >"$OUT/vultr-csi.log" 2>&1 &
  DRIVER=$!
  for _ in $(seq 1 150); do [[ -S "$OUT/vultr.sock" ]] && break; sleep 0.1; done
  set +e
  "$CSI_SANITY" -csi.endpoint "unix://$OUT/vultr.sock" -csi.mountdir "$OUT/mnt" -csi.stagingdir "$OUT/staging" \
    -csi.testvolumeparameters "$OUT/parameters.yaml" -csi.testvolumesize $((10 << 30)) \
    --ginkgo.junit-report "$OUT/junit.xml" ${SKIP_RE:+"--ginkgo.skip=$SKIP_RE"} $SANITY_EXTRA 2>&1 | tee "$OUT/sanity.log"
  exit "${PIPESTATUS[0]}"
'
