#!/usr/bin/env bash
# Mooring on one machine, no cloud account: installs what is missing, builds, starts the local
# cloud (real HTTP server, SQLite state on disk, volumes backed by loop devices), registers this
# machine as an instance in it, starts csi-controller and csi-node against it, shows what each
# plugin answers over its real gRPC socket, and then walks a real volume through its life the way
# Kubernetes would: create, attach, format, mount, write, expand, unmount, detach, delete.
# Then it stops everything cleanly (pass --keep to leave it running). Needs root (loop devices,
# mounts).
#
#   hack/run-local.sh [--keep]
#
# State lives in $MOORING_LOCAL_DIR (default /tmp/mooring-local), logs in its logs/ folder.
set -euo pipefail
cd "$(dirname "$0")/.."
keep=false
[ "${1:-}" = "--keep" ] && keep=true

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "1/6 installing dependencies (apt packages, Python venv)"
hack/install-deps.sh

step "2/6 building localcloud, csi-controller, csi-node (the first build takes a few minutes)"
for product in localcloud csi-controller csi-node; do
  swift build --product "$product" 2>&1 | grep -E --line-buffered 'error|Compiling [A-Za-z]+ |Build of product' \
    | awk '/Compiling/ { split($3, m, " "); if (seen[m[1]]++) next } { print; fflush() }'
  [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "build of $product failed" >&2; exit 1; }
done
bin=$(swift build --show-bin-path)

dir=${MOORING_LOCAL_DIR:-/tmp/mooring-local}
mkdir -p "$dir/logs" "$dir/cloud" "$dir/sockets" "$dir/devices" "$dir/kubelet"
key=$(cat "$dir/api-key" 2>/dev/null || head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
port=${MOORING_LOCAL_PORT:-18190}
api="http://127.0.0.1:$port"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
if ! $keep; then trap cleanup EXIT; fi

step "3/6 starting the local cloud on $api (state in $dir/cloud)"
(umask 077; printf %s "$key" >"$dir/api-key")
"$bin/localcloud" --api-key-file "$dir/api-key" --listen "127.0.0.1:$port" --data-dir "$dir/cloud" \
  --real-devices --device-dir "$dir/devices" --pending-ms 200 >"$dir/logs/localcloud.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  .venv/bin/python -c "import urllib.request,sys; urllib.request.urlopen('$api/healthz', timeout=1)" 2>/dev/null && break
  sleep 0.1
done
instance=$(KEY=$key API=$api .venv/bin/python - <<'PY'
import json, os, urllib.request
def call(method, path, body=None):
    req = urllib.request.Request(os.environ["API"] + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": "Bearer " + os.environ["KEY"], "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req, timeout=10))
label = "mooring-local-node"
# The cloud's state persists between runs: reuse this machine's instance when it exists.
existing = [i for i in call("GET", "/v2/instances?per_page=500")["instances"] if i["label"] == label]
print(existing[0]["id"] if existing else
      call("POST", "/v2/instances", {"region": "ewr", "plan": "vc2-2c-4gb", "label": label})["instance"]["id"])
PY
)
echo "this machine is instance $instance in region ewr"

step "4/6 starting csi-controller and csi-node"
VULTR_API_KEY=$key "$bin/csi-controller" --endpoint "unix://$dir/sockets/controller.sock" --api-url "$api" --region ewr \
  >"$dir/logs/csi-controller.log" 2>&1 &
pids+=($!)
"$bin/csi-node" --endpoint "unix://$dir/sockets/node.sock" --node-id "$instance" --region ewr \
  --device-dir "$dir/devices" >"$dir/logs/csi-node.log" 2>&1 &
pids+=($!)
for sock in controller node; do
  for _ in $(seq 100); do [ -S "$dir/sockets/$sock.sock" ] && break; sleep 0.05; done
done

step "5/6 asking each plugin's Identity service (Python grpcio client, stubs from proto/csi.proto)"
.venv/bin/python hack/csi-identity.py "unix://$dir/sockets/controller.sock" "unix://$dir/sockets/node.sock"

step "6/6 the main job: one volume through its whole life (Python grpcio playing the sidecars and kubelet)"
.venv/bin/python hack/demo-volume.py --controller-socket "$dir/sockets/controller.sock" \
  --node-socket "$dir/sockets/node.sock" --work-dir "$dir/kubelet"

echo
echo "Logs: $dir/logs/"
if $keep; then
  echo "Left running (pids ${pids[*]}); API key for $api: $key"
else
  step "stopping (SIGTERM: in-flight calls finish, sockets are removed)"
fi
