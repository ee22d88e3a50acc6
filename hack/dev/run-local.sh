#!/usr/bin/env bash
# Mooring on one machine, no cloud account: installs what is missing, builds, starts the local
# cloud (real HTTP server, SQLite state on disk, volumes backed by loop devices), registers this
# machine as an instance in it, starts csi-controller and csi-node against it, shows what each
# plugin answers over its real gRPC socket, and then walks a real volume through its life the way
# Kubernetes would: create, attach, format, mount, write, expand, unmount, detach, delete.
# Then the cloud controller manager: against the cluster of KUBECONFIG when given, else against
# kube-standin (a Kubernetes API stand-in kubectl can talk to) with two registered nodes: nodes get
# provider IDs, a LoadBalancer Service gets a local load balancer whose traffic reaches a backend
# on every node, and deleting the Service deletes it. Then it stops everything cleanly (pass
# --keep to leave it running). Needs root (loop devices, mounts).
#
#   hack/dev/run-local.sh [--keep]
#
# State lives in $MOORING_LOCAL_DIR (default /tmp/mooring-local), logs in its logs/ folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
keep=false
[ "${1:-}" = "--keep" ] && keep=true

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "1/7 installing dependencies (apt packages, Python venv)"
hack/install-deps.sh

step "2/7 building localcloud, csi-controller, csi-node, cloud-controller-manager, kube-standin (the first build takes a few minutes)"
for product in localcloud csi-controller csi-node cloud-controller-manager kube-standin; do
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

step "3/7 starting the local cloud on $api (state in $dir/cloud)"
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

step "4/7 starting csi-controller and csi-node"
VULTR_API_KEY=$key "$bin/csi-controller" --endpoint "unix://$dir/sockets/controller.sock" --api-url "$api" --region ewr \
  >"$dir/logs/csi-controller.log" 2>&1 &
pids+=($!)
"$bin/csi-node" --endpoint "unix://$dir/sockets/node.sock" --node-id "$instance" --region ewr \
  --device-dir "$dir/devices" >"$dir/logs/csi-node.log" 2>&1 &
pids+=($!)
for sock in controller node; do
  for _ in $(seq 100); do [ -S "$dir/sockets/$sock.sock" ] && break; sleep 0.05; done
done

step "5/7 asking each plugin's Identity service (Python grpcio client, stubs from proto/csi.proto)"
.venv/bin/python hack/dev/csi-identity.py "unix://$dir/sockets/controller.sock" "unix://$dir/sockets/node.sock"

step "6/7 the main job: one volume through its whole life (Python grpcio playing the sidecars and kubelet)"
.venv/bin/python hack/dev/demo-volume.py --controller-socket "$dir/sockets/controller.sock" \
  --node-socket "$dir/sockets/node.sock" --work-dir "$dir/kubelet"

step "7/7 the cloud controller manager (nodes, load balancers) against the local cloud"
start_ccm() {
  VULTR_API_KEY=$key "$bin/cloud-controller-manager" --kubeconfig "$1" --api-url "$api" --region ewr \
    --cloud-provider vultr --metrics-address 127.0.0.1:10258 --configure-cloud-routes=false --leader-elect=false \
    >"$dir/logs/cloud-controller-manager.log" 2>&1 &
  pids+=($!)
}
if [ -n "${KUBECONFIG:-}" ]; then
  # The Python kubernetes client (in .venv) plays kubectl.
  if ! KEY=$key API=$api .venv/bin/python hack/dev/ccm-local.py register; then
    echo "Skipped the cloud controller manager: the cluster of KUBECONFIG=$KUBECONFIG does not answer." >&2
  else
    start_ccm "$KUBECONFIG"
    .venv/bin/python hack/dev/ccm-local.py show
  fi
else
  standin_port=${MOORING_STANDIN_PORT:-18191}
  standin_config="$dir/kube-standin.kubeconfig"
  rm -f "$standin_config"
  echo "No KUBECONFIG: using kube-standin (a Kubernetes API stand-in) on 127.0.0.1:$standin_port as the cluster."
  echo "For a real cluster: KUBECONFIG=\$HOME/.kube/config hack/dev/run-local.sh (its Nodes get instances here)."
  "$bin/kube-standin" --port "$standin_port" --kubeconfig-out "$standin_config" >"$dir/logs/kube-standin.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do [ -s "$standin_config" ] && break; sleep 0.1; done
  export KUBECONFIG=$standin_config KEY=$key API=$api
  .venv/bin/python hack/dev/ccm-local.py nodes 2
  .venv/bin/python hack/dev/ccm-local.py register
  start_ccm "$standin_config"
  .venv/bin/python hack/dev/ccm-local.py show
  .venv/bin/python hack/dev/ccm-local.py loadbalancer
  if [ -x .venv/bin/kubectl ]; then
    echo "kubectl works against the stand-in too:"
    .venv/bin/kubectl get nodes -o custom-columns=NAME:.metadata.name,PROVIDER-ID:.spec.providerID,INTERNAL-IP:'.status.addresses[?(@.type=="InternalIP")].address'
  fi
  $keep && echo "kube-standin stays up: KUBECONFIG=$standin_config kubectl get nodes,services -A"
fi
echo "cloud-controller-manager log: $dir/logs/cloud-controller-manager.log"

echo
echo "Logs: $dir/logs/"
if $keep; then
  echo "Left running (pids ${pids[*]}); API key for $api: $key"
else
  step "stopping (SIGTERM: in-flight calls finish, sockets are removed)"
fi
