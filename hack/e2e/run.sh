#!/usr/bin/env bash
# Mooring in a real Kubernetes cluster: the user's journey, and with --suite Kubernetes' own
# external-storage e2e suite.
#
#   hack/e2e/run.sh --k8s-bin DIR [--suite] [--sidecar-bin DIR] [--snapshotter-src DIR] [--keep]
#   hack/e2e/run.sh --kubeconfig FILE [--suite] [--k8s-bin DIR]
#
# --k8s-bin DIR   start a single-node cluster from DIR's binaries: kube-apiserver,
#                 kube-controller-manager, kube-scheduler, kubelet, kube-proxy, kubectl (and
#                 e2e.test and agnhost for --suite), with etcd (DIR/etcd, else Debian's etcd-server), containerd
#                 and runc. Everything runs in a network namespace it creates (mooring-e2e), where
#                 the node's IP (10.200.0.2, MOORING_E2E_NODE_IP) sits on a veth interface; pods get
#                 10.244.0.0/24 (CNI ptp). Kubelet runs as a kubeadm node does:
#                 --cloud-provider=external --node-ip=<node IP>. Needs root.
#                 Images: Mooring's from hack/release/build-images.sh --offline; stand-ins built here from
#                 the same debootstrapped base for what a registry would serve (pause, busybox and
#                 the example app's web server, and the e2e suite's busybox), named
#                 localhost/mooring-e2e/…; the kubernetes-csi sidecars and snapshot-controller from
#                 the binaries in --sidecar-bin DIR (csi-provisioner, csi-attacher, csi-resizer,
#                 csi-snapshotter, csi-node-driver-registrar, livenessprobe, snapshot-controller),
#                 tagged with the version each reports. The snapshot CRDs and snapshot-controller's
#                 manifests come from --snapshotter-src DIR (a kubernetes-csi/external-snapshotter
#                 checkout of the sidecar's release). Images are imported into containerd.
# --kubeconfig F  use a running cluster where Mooring's images and the sidecars can be pulled,
#                 the snapshot CRDs and controller are installed and the local overlay fits (one
#                 node, kubelet flags as in docs/deploy.md). kubectl from --k8s-bin or PATH.
# --suite         also run the external-storage e2e suite (e2e.test from --k8s-bin) with the
#                 driver definition Tests/e2e/mooring-local.yaml; tests this environment cannot
#                 support are skipped by name, each with its reason (E2E_SKIPS below).
#                 MOORING_E2E_FOCUS=REGEX narrows it to the specs whose names match.
# --keep          leave the cluster running (prints how to reach it and how to clean up).
#
# Mooring is applied as docs/deploy.md tells a user: the API key Secret, then
# `kubectl apply -k` of deploy/kubernetes/overlays/local — through an overlay of the kind
# docs/deploy.md shows ("images:") when the images carry other names here.
# Each journey step is printed as it runs; the exit status is 0 only when everything run passed.
# With --k8s-bin and binaries absent (as in CI) it prints "skipped: …" and exits 0.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
kubeconfig="" k8s_bin="" suite=false sidecar_bin="" snapshotter_src="" keep=false
while [ $# -gt 0 ]; do
  case "$1" in
    --kubeconfig) kubeconfig=${2:?}; shift 2 ;;
    --k8s-bin) k8s_bin=${2:?}; shift 2 ;;
    --suite) suite=true; shift ;;
    --sidecar-bin) sidecar_bin=${2:?}; shift 2 ;;
    --snapshotter-src) snapshotter_src=${2:?}; shift 2 ;;
    --keep) keep=true; shift ;;
    -h|--help) usage ;;
    *) echo "unknown argument $1" >&2; usage ;;
  esac
done
[ -n "$kubeconfig" ] || [ -n "$k8s_bin" ] || usage

NS=mooring-e2e
NODE=mooring-e2e-node
NODE_IP=${MOORING_E2E_NODE_IP:-10.200.0.2}
WORK=${MOORING_E2E_WORK:-/var/tmp/mooring-e2e}
SERVICE_CIDR=10.96.0.0/24
POD_CIDR=10.244.0.0/24
LOCAL=localhost/mooring-e2e
KUBELET_DIR=/var/lib/kubelet
LOCALCLOUD_DIR=/var/lib/mooring-localcloud
VERSION=$(sed -n 's/.*string = "\([^"]*\)".*/\1/p' "$ROOT/Sources/Telemetry/MooringVersion.swift")
# Tests of the suite this environment cannot support, by name, with the reason.
E2E_SKIPS=(
  "Disruptive|restarts kubelet or the node over SSH; this cluster's node is this machine, with no SSH"
  "should not mount / map unused volumes in a pod|its host helper (hostexec) enters the host's mount namespace through /proc/1/ns/mnt, which a process in this sandbox cannot open"
  "should provision storage with any volume data source|deploys the hello-populator and volume-data-source-validator images from registry.k8s.io, which no registry here serves"
)

say() { printf '\n\033[1m==> [%s] %s\033[0m\n' "$(date -u +%H:%M:%S)" "$*"; }
ok() { printf '    ok: %s\n' "$*"; }
fail() { printf '    FAILED: %s\n' "$*" >&2; exit 1; }
skipped() { echo "skipped: $*"; exit 0; }

# --- Prerequisites ------------------------------------------------------------------------------

in_ns=()
if [ -n "$k8s_bin" ]; then
  [ -d "$k8s_bin" ] || skipped "no Kubernetes binaries: $k8s_bin does not exist (build them, see docs/e2e.md)"
  k8s_bin=$(cd "$k8s_bin" && pwd)
  needed=(kubectl)
  [ -n "$kubeconfig" ] || needed+=(kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy)
  # The suite's helper pods (hostexec, volume testers) run agnhost; a cluster we start has no
  # registry, so its image is made here from the binary built beside e2e.test.
  $suite && needed+=(e2e.test)
  $suite && [ -z "$kubeconfig" ] && needed+=(agnhost)
  absent=()
  for b in "${needed[@]}"; do [ -x "$k8s_bin/$b" ] || absent+=("$b"); done
  [ ${#absent[@]} -eq 0 ] || skipped "Kubernetes binaries absent from $k8s_bin: ${absent[*]} (see docs/e2e.md)"
  KUBECTL=$k8s_bin/kubectl
else
  KUBECTL=$(command -v kubectl) || { echo "kubectl not found (give --k8s-bin DIR)" >&2; exit 2; }
  $suite && { echo "--suite needs e2e.test from --k8s-bin DIR" >&2; exit 2; }
fi
start_cluster=false
[ -n "$k8s_bin" ] && [ -z "$kubeconfig" ] && start_cluster=true

if $start_cluster; then
  [ "$(id -u)" -eq 0 ] || { echo "starting a cluster needs root" >&2; exit 2; }
  ETCD=$k8s_bin/etcd; [ -x "$ETCD" ] || ETCD=$(command -v etcd) || true
  missing=()
  [ -n "$ETCD" ] && [ -x "$ETCD" ] || missing+=("etcd (Debian: etcd-server)")
  for tool in containerd ctr runc podman openssl curl iptables ip nsenter cc python3; do
    command -v "$tool" >/dev/null || missing+=("$tool")
  done
  [ -x /usr/lib/cni/ptp ] || missing+=("CNI plugins (Debian: containernetworking-plugins)")
  [ ${#missing[@]} -eq 0 ] || { echo "cannot start a cluster, missing: ${missing[*]}" >&2; exit 2; }
  # Both are removed at the end, so neither may hold anything of someone else's.
  for d in "$KUBELET_DIR" "$LOCALCLOUD_DIR"; do
    [ ! -e "$d" ] || { echo "$d exists (another kubelet or local cloud on this machine?): move it away first" >&2; exit 2; }
  done
  ip netns list | grep -qw "$NS" && { echo "network namespace $NS exists: an earlier run is still up (see --keep)" >&2; exit 2; }
  # nsenter, not `ip netns exec`: that gives each command a mount namespace of its own with a
  # fresh /sys, so runc finds no cgroup mounts and kubelet's mounts are invisible to containerd.
  in_ns=(nsenter --net="/run/netns/$NS")
  kubeconfig=$WORK/admin.kubeconfig
fi
[ -f "$kubeconfig" ] || $start_cluster || { echo "no kubeconfig at $kubeconfig" >&2; exit 2; }

k() { "${in_ns[@]}" "$KUBECTL" --kubeconfig "$kubeconfig" "$@"; }
# Waits until "$@" succeeds, up to $1 seconds: wait_for SECONDS WHAT COMMAND...
wait_for() {
  local limit=$1 what=$2; shift 2
  local until=$(( $(date +%s) + limit ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$until" ] || fail "$what: not within ${limit}s"
    sleep 2
  done
}

# --- The cluster --------------------------------------------------------------------------------

pids=()
netns_before=""
cleanup() {
  local status=$?
  if $keep && $start_cluster; then
    echo
    echo "the cluster keeps running (--keep): KUBECONFIG=$kubeconfig, from 'nsenter --net=/run/netns/$NS'."
    echo "to stop it: kill ${pids[*]:-}; then remove $WORK, $KUBELET_DIR and $LOCALCLOUD_DIR and delete netns $NS"
    exit $status
  fi
  if $start_cluster; then
    say "cleaning up everything this run started"
    stop_cluster
  fi
  exit $status
}

# Processes are ended by the ids this run recorded, plus the containerd shims serving this run's
# containerd (found by its socket path on their command line), in reverse order of start.
stop_cluster() {
  set +e +o pipefail  # clean up as much as can be, whatever fails on the way
  local sock=$WORK/containerd/containerd.sock
  for (( i=${#pids[@]}-1; i>=0; i-- )); do
    kill "${pids[$i]}" 2>/dev/null || true
    # containerd last: its shims still run the containers until they are killed below.
  done
  sleep 3
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  local shims=()
  for d in /proc/[0-9]*; do
    if tr '\0' ' ' 2>/dev/null <"$d/cmdline" | grep -qF -- "-address $sock"; then shims+=("${d#/proc/}"); fi
  done
  for p in "${shims[@]}"; do
    # The shim's children (the containers' processes) die with their PID namespace's init.
    for c in $(ps -o pid= --ppid "$p" 2>/dev/null); do kill -9 "$c" 2>/dev/null || true; done
    kill -9 "$p" 2>/dev/null || true
  done
  sleep 1
  # Mounts under the kubelet's and containerd's directories, deepest first.
  awk '{print $2}' /proc/self/mounts | grep -E "^($KUBELET_DIR|$WORK|/run/containerd-mooring-e2e)" | sort -r \
    | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  # Loop devices backing the local cloud's volumes.
  find "$LOCALCLOUD_DIR" -type f 2>/dev/null | while read -r f; do
    losetup -j "$f" | cut -d: -f1 | while read -r dev; do losetup -d "$dev" 2>/dev/null || true; done
  done
  # Network namespaces the pods had (made by the CNI plugins for this containerd), then ours.
  for n in $(ip netns list | awk '{print $1}'); do
    case " $netns_before " in *" $n "*) ;; *) [ "$n" = "$NS" ] || ip netns del "$n" 2>/dev/null || true ;; esac
  done
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$KUBELET_DIR" "$LOCALCLOUD_DIR" "$WORK" /run/containerd-mooring-e2e
  echo "stopped; removed $WORK, $KUBELET_DIR, $LOCALCLOUD_DIR and network namespace $NS"
}

# start NAME COMMAND...: runs COMMAND in the namespace, logging to $WORK/logs/NAME.log.
start() {
  local name=$1; shift
  "${in_ns[@]}" "$@" >"$WORK/logs/$name.log" 2>&1 &
  pids+=($!)
  echo "    started $name (pid $!, log $WORK/logs/$name.log)"
}

certificates() {
  local pki=$WORK/pki
  mkdir -p "$pki"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mooring-e2e-ca" \
    -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
  cat >"$pki/apiserver.ext" <<EOF
subjectAltName = IP:${SERVICE_CIDR%.*}.1, IP:$NODE_IP, IP:127.0.0.1, DNS:localhost, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local
extendedKeyUsage = serverAuth
EOF
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout "$pki/apiserver.key" \
    -out "$pki/apiserver.csr" 2>/dev/null
  openssl x509 -req -in "$pki/apiserver.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 2 -extfile "$pki/apiserver.ext" -out "$pki/apiserver.crt" 2>/dev/null
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
  # Static tokens: the admin (everything the control plane and this script do) and the node.
  ADMIN_TOKEN=$(openssl rand -hex 16)
  NODE_TOKEN=$(openssl rand -hex 16)
  printf '%s,admin,admin,"system:masters"\n%s,system:node:%s,node,"system:nodes"\n' \
    "$ADMIN_TOKEN" "$NODE_TOKEN" "$NODE" >"$pki/tokens.csv"
  for who in admin node; do
    local token=$ADMIN_TOKEN; [ $who = node ] && token=$NODE_TOKEN
    cat >"$WORK/$who.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: e2e
  cluster: {server: "https://$NODE_IP:6443", certificate-authority: "$pki/ca.crt"}
users:
- name: $who
  user: {token: "$token"}
contexts:
- name: e2e
  context: {cluster: e2e, user: $who}
current-context: e2e
EOF
  done
}

# Images a registry would serve, made from the debootstrapped base hack/release/build-images.sh keeps.
stand_in_images() {
  local ctx=$WORK/images
  mkdir -p "$ctx/pause" "$ctx/busybox" "$ctx/web"
  # The sandbox ("pause") container: sleeps until told to stop, reaping nothing (it has no children).
  cat >"$ctx/pause/pause.c" <<'EOF'
#include <signal.h>
#include <unistd.h>
static void stop(int signo) { (void)signo; _exit(0); }
int main(void) {
    signal(SIGTERM, stop);
    signal(SIGINT, stop);
    for (;;) pause();
}
EOF
  cc -static -O2 -o "$ctx/pause/pause" "$ctx/pause/pause.c"
  printf 'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n' >"$ctx/pause/Containerfile"
  printf 'FROM localhost/mooring-base:bookworm\nRUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends busybox-static && rm -rf /var/lib/apt/lists/* && mkdir -p /usr/local/busybox && busybox --install -s /usr/local/busybox && ln -sf /bin/busybox /bin/sh\nENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/local/busybox\nCMD ["sh"]\n' \
    >"$ctx/busybox/Containerfile"
  # The example app's web server: serves /usr/share/nginx/html on 8080 as user 101, as the
  # nginx-unprivileged image does.
  printf 'FROM %s/busybox:1.37.0\nUSER 101:101\nEXPOSE 8080\nENTRYPOINT ["busybox", "httpd", "-f", "-v", "-p", "8080", "-h", "/usr/share/nginx/html"]\n' \
    "$LOCAL" >"$ctx/web/Containerfile"
  local podman=(podman --runtime runc)
  local limits=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
  "${podman[@]}" build -q --network host "${limits[@]}" -t "$LOCAL/pause:3.10" "$ctx/pause" >/dev/null
  "${podman[@]}" build -q --network host "${limits[@]}" -t "$LOCAL/busybox:1.37.0" "$ctx/busybox" >/dev/null
  "${podman[@]}" tag "$LOCAL/busybox:1.37.0" "$LOCAL/e2e-test-images/busybox:1.36.1-1"
  "${podman[@]}" build -q --network host "${limits[@]}" -t "$LOCAL/web:1.28.0-alpine" "$ctx/web" >/dev/null
  IMAGES+=("$LOCAL/pause:3.10" "$LOCAL/busybox:1.37.0" "$LOCAL/e2e-test-images/busybox:1.36.1-1" "$LOCAL/web:1.28.0-alpine")
  if $suite; then
    # agnhost under the name and tag e2e.test v1.32 asks for (test/utils/image/manifest.go), on
    # the busybox stand-in so that its helpers find a shell and nsenter-like tools.
    mkdir -p "$ctx/agnhost"
    cp "$k8s_bin/agnhost" "$ctx/agnhost/agnhost"
    printf 'FROM %s/busybox:1.37.0\nCOPY agnhost /agnhost\nENTRYPOINT ["/agnhost"]\n' "$LOCAL" >"$ctx/agnhost/Containerfile"
    "${podman[@]}" build -q --network host "${limits[@]}" -t "$LOCAL/e2e-test-images/agnhost:2.53" "$ctx/agnhost" >/dev/null
    IMAGES+=("$LOCAL/e2e-test-images/agnhost:2.53")
    # The suite's other test images (test/utils/image/manifest.go), whose pods give their own
    # commands (dd, cat, ls, sleep): the busybox stand-in serves them.
    for image in jessie-dnsutils:1.7 nginx:1.14-4; do
      "${podman[@]}" tag "$LOCAL/busybox:1.37.0" "$LOCAL/e2e-test-images/$image"
      IMAGES+=("$LOCAL/e2e-test-images/$image")
    done
  fi
}

# The sidecars: each static binary in an image of its own, tagged with the version it reports.
sidecar_images() {
  local ctx=$WORK/images/sidecars
  mkdir -p "$ctx"
  SIDECAR_OVERRIDES=""
  for b in csi-provisioner csi-attacher csi-resizer csi-snapshotter csi-node-driver-registrar livenessprobe snapshot-controller; do
    if [ ! -x "$sidecar_bin/$b" ]; then
      echo "    $b: not in $sidecar_bin; the manifests' image stays (pulled from its registry)"
      continue
    fi
    local version
    version=$("$sidecar_bin/$b" --version 2>&1 | grep -o '^[^ ]* v[0-9][0-9.]*' | grep -o 'v[0-9][0-9.]*' | head -n 1 || true)
    [ -n "$version" ] || version=local  # livenessprobe has no --version
    mkdir -p "$ctx/$b"
    cp "$sidecar_bin/$b" "$ctx/$b/$b"
    printf 'FROM scratch\nCOPY %s /%s\nENTRYPOINT ["/%s"]\n' "$b" "$b" "$b" >"$ctx/$b/Containerfile"
    podman --runtime runc build -q "$ctx/$b" -t "$LOCAL/$b:$version" >/dev/null
    IMAGES+=("$LOCAL/$b:$version")
    SIDECAR_OVERRIDES+="  - name: registry.k8s.io/sig-storage/$b
    newName: $LOCAL/$b
    newTag: $version
"
    echo "    $b $version"
  done
}

start_control_plane_and_node() {
  mkdir -p "$WORK/logs" "$WORK/containerd" "$WORK/cni" "$KUBELET_DIR" "$LOCALCLOUD_DIR"
  netns_before=$(ip netns list | awk '{print $1}' | tr '\n' ' ')
  ip netns add "$NS"
  ip -n "$NS" link add e2e-node type veth peer name e2e-peer
  ip -n "$NS" addr add "$NODE_IP/24" dev e2e-node
  ip -n "$NS" link set lo up
  ip -n "$NS" link set e2e-node up
  ip -n "$NS" link set e2e-peer up
  ip -n "$NS" route add default dev e2e-node
  ip netns exec "$NS" sysctl -qw net.ipv4.ip_forward=1
  echo "    network namespace $NS: node IP $NODE_IP on e2e-node"

  certificates
  local pki=$WORK/pki
  start etcd "$ETCD" --name e2e --data-dir "$WORK/etcd" --listen-client-urls http://127.0.0.1:2379 \
    --advertise-client-urls http://127.0.0.1:2379 --listen-peer-urls http://127.0.0.1:2380
  start kube-apiserver "$k8s_bin/kube-apiserver" --etcd-servers=http://127.0.0.1:2379 \
    --advertise-address="$NODE_IP" --bind-address=0.0.0.0 --secure-port=6443 \
    --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key" \
    --client-ca-file="$pki/ca.crt" --token-auth-file="$pki/tokens.csv" --authorization-mode=Node,RBAC \
    --service-cluster-ip-range="$SERVICE_CIDR" --service-account-issuer=https://kubernetes.default.svc \
    --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key" \
    --allow-privileged=true --kubelet-preferred-address-types=InternalIP --v=1
  wait_for 180 "kube-apiserver ready" k get --raw /readyz
  ok "kube-apiserver answers on https://$NODE_IP:6443"
  start kube-controller-manager "$k8s_bin/kube-controller-manager" --kubeconfig="$kubeconfig" \
    --cloud-provider=external --leader-elect=false --bind-address=127.0.0.1 \
    --service-account-private-key-file="$pki/sa.key" --root-ca-file="$pki/ca.crt" \
    --use-service-account-credentials=true --v=1
  start kube-scheduler "$k8s_bin/kube-scheduler" --kubeconfig="$kubeconfig" --leader-elect=false \
    --bind-address=127.0.0.1 --v=1

  # containerd of its own (own state, socket and CNI configuration), with runc.
  cat >"$WORK/containerd/config.toml" <<EOF
version = 2
root = "$WORK/containerd/root"
state = "/run/containerd-mooring-e2e"
[grpc]
  address = "$WORK/containerd/containerd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$LOCAL/pause:3.10"
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$WORK/cni"
EOF
  cat >"$WORK/cni/10-mooring-e2e.conflist" <<EOF
{"cniVersion": "0.4.0", "name": "mooring-e2e", "plugins": [
  {"type": "ptp", "ipMasq": false,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "$POD_CIDR"}]], "routes": [{"dst": "0.0.0.0/0"}],
            "dataDir": "$WORK/cni-ipam"}},
  {"type": "portmap", "capabilities": {"portMappings": true}}]}
EOF
  start containerd containerd --config "$WORK/containerd/config.toml"
  wait_for 60 "containerd socket" test -S "$WORK/containerd/containerd.sock"
  CTR=(ctr --address "$WORK/containerd/containerd.sock" --namespace k8s.io)

  say "importing images into containerd"
  for image in "${IMAGES[@]}"; do
    podman save "$image" | "${CTR[@]}" images import --no-unpack=false - >/dev/null
    echo "    $image"
  done

  # kubelet as on a kubeadm node with an external cloud provider. Its root is /var/lib/kubelet,
  # the path the manifests mount. Mounts there must propagate to the node plugin's container.
  mount --bind "$KUBELET_DIR" "$KUBELET_DIR"
  mount --make-rshared "$KUBELET_DIR"
  cat >"$WORK/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous: {enabled: true}
  webhook: {enabled: false}
authorization: {mode: AlwaysAllow}
address: $NODE_IP
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://$WORK/containerd/containerd.sock
failSwapOn: false
clusterDomain: cluster.local
resolvConf: /etc/resolv.conf
evictionHard: {memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%"}
# No image garbage collection: the images were imported, no registry can give them back. Seen:
# on a shared disk at 85 % the kubelet removed pause and agnhost mid-suite, and every later pod
# failed to start.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
rotateCertificates: false
EOF
  start kubelet "$k8s_bin/kubelet" --config="$WORK/kubelet.yaml" --kubeconfig="$WORK/node.kubeconfig" \
    --hostname-override="$NODE" --node-ip="$NODE_IP" --cloud-provider=external --root-dir="$KUBELET_DIR" \
    --cert-dir="$WORK/kubelet-pki" --v=1
  cat >"$WORK/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: "$kubeconfig"}
mode: iptables
hostnameOverride: $NODE
clusterCIDR: $POD_CIDR
healthzBindAddress: 0.0.0.0:10256
metricsBindAddress: 127.0.0.1:10249
iptables: {masqueradeAll: true}
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
  start kube-proxy "$k8s_bin/kube-proxy" --config="$WORK/kube-proxy.yaml" --v=1
  wait_for 120 "node $NODE registered" k get node "$NODE"
  ok "node $NODE registered (tainted node.cloudprovider.kubernetes.io/uninitialized until Mooring's CCM initializes it)"
}

# --- Mooring, as a user installs it ----------------------------------------------------------------

install_mooring() {
  say "installing Mooring (docs/deploy.md, Single machine)"
  if ! $start_cluster; then
    NODE=$(k get nodes -o jsonpath='{.items[0].metadata.name}')
    NODE_IP=$(k get node "$NODE" -o jsonpath='{.status.addresses[?(@.type=="InternalIP")].address}')
    [ "$(k get nodes -o name | wc -l)" -eq 1 ] || fail "the local overlay is for a one-node cluster"
  fi
  local key
  key=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
  LOCALCLOUD_KEY=$key
  k -n kube-system create secret generic mooring-api-key --from-literal=api-key="$key" >/dev/null
  ok "Secret kube-system/mooring-api-key"
  if [ -n "$snapshotter_src" ]; then
    k apply -k "$snapshotter_src/client/config/crd" >/dev/null
    local ctl=$WORK/snapshot-controller
    mkdir -p "$ctl"
    cp "$snapshotter_src/deploy/kubernetes/snapshot-controller/"*.yaml "$ctl/"
    printf '%s' "$SIDECAR_OVERRIDES" | grep -q snapshot-controller && {
      printf 'images:\n%s' "$SIDECAR_OVERRIDES" >>"$ctl/kustomization.yaml"
    }
    k apply -k "$ctl" >/dev/null
    ok "snapshot CRDs and snapshot-controller from $snapshotter_src"
  fi
  k get crd volumesnapshotclasses.snapshot.storage.k8s.io >/dev/null 2>&1 \
    || fail "the snapshot CRDs are not installed (give --snapshotter-src DIR)"
  local overlay=$ROOT/deploy/kubernetes/overlays/local
  if [ -n "${SIDECAR_OVERRIDES:-}" ]; then
    # The user's own overlay, as docs/deploy.md shows, pointing the sidecars at the images here.
    overlay=$WORK/overlay
    mkdir -p "$overlay"
    # (kustomize takes no absolute paths.)
    printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - %s\nimages:\n%s' \
      "$(realpath --relative-to="$overlay" "$ROOT/deploy/kubernetes/overlays/local")" "$SIDECAR_OVERRIDES" \
      >"$overlay/kustomization.yaml"
  fi
  k apply -k "$overlay" >"$WORK/apply.log" 2>&1 || { cat "$WORK/apply.log" >&2; fail "kubectl apply -k $overlay"; }
  ok "kubectl apply -k ${overlay#$ROOT/}"
  k -n kube-system rollout status deployment/mooring-localcloud --timeout=300s >/dev/null \
    || fail "localcloud did not roll out"
  ok "localcloud running"
  k -n kube-system rollout status daemonset/mooring-csi-node --timeout=300s >/dev/null \
    || fail "csi-node did not roll out: $(k -n kube-system logs ds/mooring-csi-node -c register-node 2>&1 | tail -n 3)"
  ok "csi-node running ($(k -n kube-system logs ds/mooring-csi-node -c register-node 2>/dev/null | grep -m1 -E 'registering|instance' || echo 'node already registered'))"
  wait_for 180 "node initialized by the cloud controller manager" node_initialized
  ok "node $NODE: providerID $(k get node "$NODE" -o jsonpath='{.spec.providerID}'), addresses $(k get node "$NODE" -o jsonpath='{.status.addresses[*].address}')"
  k -n kube-system rollout status deployment/mooring-csi-controller --timeout=300s >/dev/null || fail "csi-controller did not roll out"
  k -n kube-system rollout status deployment/mooring-cloud-controller-manager --timeout=300s >/dev/null || fail "the CCM did not roll out"
  ok "csi-controller and cloud-controller-manager running"
  wait_for 120 "the node lists block.csi.mooring.dev" driver_registered
  ok "CSINode $NODE lists block.csi.mooring.dev"
  k -n kube-system get pods -o wide
}

# The local cloud's API, from inside the cluster's network.
cloud() { "${in_ns[@]}" curl -fsS -H "Authorization: Bearer $LOCALCLOUD_KEY" "http://$NODE_IP:8090$1"; }
count() { python3 -c "import json,sys; print(len(json.load(sys.stdin)['$1']))"; }

# Conditions the steps wait for.
node_initialized() { k get node "$NODE" -o jsonpath='{.spec.providerID}' | grep -q '^vultr://'; }
driver_registered() { k get csinode "$NODE" -o jsonpath='{.spec.drivers[*].name}' | grep -q block.csi.mooring.dev; }
app_ready() {
  [ "$(k -n mooring-example get pods -l app.kubernetes.io/name=mooring-example -o jsonpath='{.items[*].status.containerStatuses[*].ready}')" = true ]
}
no_attachments() { ! k get volumeattachment -o jsonpath='{.items[*].spec.source.persistentVolumeName}' | grep -q .; }
grown() {  # web|POD PATH: the filesystem at PATH in the web Deployment's pod or POD is over 15 GiB
  local target=(deploy/web -c web); [ "$1" = web ] || target=("$1")
  [ "$(k -n mooring-example exec "${target[@]}" -- df -k "$2" | awk 'NR==2 {print $2}')" -gt $(( 15 * 1024 * 1024 )) ]
}
# Whether this machine's processes may hold CAP_SYS_RESOURCE (bit 24 of the bounding set).
can_grow_ext4_online() {
  local bounding
  bounding=$(awk '/^CapBnd/ {print $2}' /proc/self/status)
  (( (16#$bounding >> 24) & 1 ))
}
snapshot_ready() { [ "$(k -n mooring-example get volumesnapshot web-data-snap -o jsonpath='{.status.readyToUse}')" = true ]; }
has_ingress() { k -n mooring-example get service web -o jsonpath='{.status.loadBalancer.ingress[0].ip}' | grep -q .; }
no_mooring_pvs() { ! k get pv -o jsonpath='{.items[*].spec.csi.driver}' | grep -q block.csi.mooring.dev; }
no_blocks() { [ "$(cloud /v2/blocks | count blocks)" = 0 ]; }

# --- The journey ----------------------------------------------------------------------------------

ingress_is_proxy() {
  [ "$(k -n mooring-example get service web -o jsonpath='{.status.loadBalancer.ingress[0].ipMode}')" = Proxy ]
}
# grep reads the whole dump (no -q): with -q it could exit at the first match, iptables-save would
# die of SIGPIPE, and under pipefail the negation would then report "no rule" when there is one.
no_kube_proxy_rule_for() { ! "${in_ns[@]}" iptables-save -t nat | grep -F -- "-d $1/32" >/dev/null; }

journey() {
  local app=$ROOT/deploy/kubernetes/examples/app ns=mooring-example
  if $start_cluster; then
    app=$WORK/app
    mkdir -p "$app"
    printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - %s\nimages:\n  - name: docker.io/library/busybox\n    newName: %s/busybox\n  - name: docker.io/nginxinc/nginx-unprivileged\n    newName: %s/web\n' \
      "$(realpath --relative-to="$app" "$ROOT/deploy/kubernetes/examples/app")" "$LOCAL" "$LOCAL" >"$app/kustomization.yaml"
  fi
  page() { k -n $ns exec deploy/web -c web -- cat /usr/share/nginx/html/index.html; }
  lines() { page | grep -c "stored on a Mooring volume"; }

  say "journey 1/8: the example app's PVC binds and the pod serves from it"
  k apply -k "$app" >/dev/null
  k -n $ns rollout status deployment/web --timeout=300s >/dev/null || fail "the example app did not start: $(k -n $ns describe pod | tail -n 15)"
  [ "$(k -n $ns get pvc web-data -o jsonpath='{.status.phase}')" = Bound ] || fail "PVC web-data not Bound"
  local volume
  volume=$(k get pv "$(k -n $ns get pvc web-data -o jsonpath='{.spec.volumeName}')" -o jsonpath='{.spec.csi.volumeHandle}')
  ok "PVC web-data Bound to cloud block $volume ($(cloud "/v2/blocks/$volume" | python3 -c 'import json,sys; b=json.load(sys.stdin)["block"]; print(b["size_gb"], "GB,", b["status"])'))"
  [ "$(lines)" = 1 ] || fail "the page is not on the volume: $(page)"
  ok "the pod serves: $(page | tail -n 1)"

  say "journey 2/8: data survives pod recreation"
  k -n $ns delete pod -l app.kubernetes.io/name=mooring-example --wait=true >/dev/null
  k -n $ns rollout status deployment/web --timeout=300s >/dev/null
  wait_for 120 "a new pod ready" app_ready
  [ "$(lines)" = 2 ] || fail "expected the first pod's line and the new one: $(page)"
  ok "the new pod sees the first pod's line and adds its own (2 lines)"

  say "journey 3/8: detach and re-attach (scale to 0 and back)"
  k -n $ns scale deployment/web --replicas=0 >/dev/null
  wait_for 180 "VolumeAttachment removed" no_attachments
  [ -z "$(cloud "/v2/blocks/$volume" | python3 -c 'import json,sys; print(json.load(sys.stdin)["block"]["attached_to_instance"])')" ] \
    || fail "block $volume still attached in the cloud"
  ok "detached: no VolumeAttachment, block $volume attached to nothing in the cloud"
  k -n $ns scale deployment/web --replicas=1 >/dev/null
  k -n $ns rollout status deployment/web --timeout=300s >/dev/null || fail "the app did not come back"
  [ "$(lines)" = 3 ] || fail "data lost across detach/attach: $(page)"
  ok "re-attached to $(cloud "/v2/blocks/$volume" | python3 -c 'import json,sys; print(json.load(sys.stdin)["block"]["attached_to_instance"])'); 3 lines"

  say "journey 4/8: PVC expansion, visible in the pod"
  if can_grow_ext4_online; then
    local before after
    before=$(k -n $ns exec deploy/web -c web -- df -k /usr/share/nginx/html | awk 'NR==2 {print $2}')
    k -n $ns patch pvc web-data --type=merge -p '{"spec":{"resources":{"requests":{"storage":"20Gi"}}}}' >/dev/null
    wait_for 300 "filesystem grown in the pod" grown web /usr/share/nginx/html
    after=$(k -n $ns exec deploy/web -c web -- df -k /usr/share/nginx/html | awk 'NR==2 {print $2}')
    ok "ext4 $(( before / 1024 / 1024 )) GiB -> $(( after / 1024 / 1024 )) GiB in the pod; PVC capacity $(k -n $ns get pvc web-data -o jsonpath='{.status.capacity.storage}'); cloud block $(cloud "/v2/blocks/$volume" | python3 -c 'import json,sys; print(json.load(sys.stdin)["block"]["size_gb"])') GB"
  else
    # Growing a mounted ext4 needs CAP_SYS_RESOURCE, which this machine's bounding set lacks (a
    # sandbox): the same journey step on an xfs volume (xfs_growfs needs only CAP_SYS_ADMIN).
    echo "    note: no CAP_SYS_RESOURCE here (CapBnd in /proc/self/status): online ext4 growth cannot work, so this step uses an xfs volume (mooring-block-xfs)"
    k apply -f - >/dev/null <<EOF
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: grow, namespace: $ns}
spec:
  storageClassName: mooring-block-xfs
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 10Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: grow, namespace: $ns}
spec:
  containers:
    - name: grow
      image: $(image_of busybox 1.37.0)
      command: ["sleep", "3600"]
      volumeMounts: [{name: data, mountPath: /data}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: grow}}]
EOF
    k -n $ns wait pod/grow --for=condition=Ready --timeout=300s >/dev/null || fail "the xfs volume's pod did not start"
    local before after
    before=$(k -n $ns exec grow -- df -k /data | awk 'NR==2 {print $2}')
    k -n $ns patch pvc grow --type=merge -p '{"spec":{"resources":{"requests":{"storage":"20Gi"}}}}' >/dev/null
    wait_for 300 "filesystem grown in the pod" grown grow /data
    after=$(k -n $ns exec grow -- df -k /data | awk 'NR==2 {print $2}')
    ok "xfs $(( before / 1024 / 1024 )) GiB -> $(( after / 1024 / 1024 )) GiB in the pod; PVC capacity $(k -n $ns get pvc grow -o jsonpath='{.status.capacity.storage}')"
  fi

  say "journey 5/8: a snapshot, restored with its data"
  # Snapshots are crash-consistent (docs/deploy.md): flush what the pods wrote first. (Without
  # this, a real run restored 2 of 3 lines: the newest was still in the page cache.)
  k -n $ns exec deploy/web -c web -- sync
  k apply -f - >/dev/null <<EOF
apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshot
metadata: {name: web-data-snap, namespace: $ns}
spec:
  volumeSnapshotClassName: mooring-block-snapshot
  source: {persistentVolumeClaimName: web-data}
EOF
  wait_for 300 "snapshot ready" snapshot_ready
  ok "VolumeSnapshot web-data-snap ready ($(cloud /v2/blocks/snapshots | count snapshots) snapshot in the cloud)"
  k apply -f - >/dev/null <<EOF
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: restored, namespace: $ns}
spec:
  storageClassName: mooring-block
  dataSource: {name: web-data-snap, kind: VolumeSnapshot, apiGroup: snapshot.storage.k8s.io}
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: $(k -n $ns get pvc web-data -o jsonpath='{.status.capacity.storage}')}}
---
apiVersion: v1
kind: Pod
metadata: {name: restored, namespace: $ns}
spec:
  securityContext: {runAsUser: 101, runAsGroup: 101, fsGroup: 101}
  containers:
    - name: read
      image: $(image_of busybox 1.37.0)
      command: ["sleep", "3600"]
      volumeMounts: [{name: data, mountPath: /data}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: restored}}]
EOF
  k -n $ns wait pod/restored --for=condition=Ready --timeout=300s >/dev/null || fail "the restored volume's pod did not start"
  local restored
  restored=$(k -n $ns exec restored -- grep -c "stored on a Mooring volume" /data/index.html)
  [ "$restored" -ge 3 ] || fail "restored volume holds $restored lines"
  ok "PVC restored from the snapshot holds the page ($restored lines)"

  say "journey 6/8: a raw block PVC"
  k apply -f - >/dev/null <<EOF
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: raw, namespace: $ns}
spec:
  storageClassName: mooring-block
  volumeMode: Block
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 10Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: raw, namespace: $ns}
spec:
  containers:
    - name: dev
      image: $(image_of busybox 1.37.0)
      command: ["sleep", "3600"]
      volumeDevices: [{name: data, devicePath: /dev/xvda}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: raw}}]
EOF
  k -n $ns wait pod/raw --for=condition=Ready --timeout=300s >/dev/null || fail "the raw block pod did not start"
  k -n $ns exec raw -- sh -c 'echo mooring-raw-block | dd of=/dev/xvda bs=512 count=1 conv=sync 2>/dev/null && sync' \
    || fail "cannot write the raw device"
  local read_back size
  read_back=$(k -n $ns exec raw -- sh -c 'dd if=/dev/xvda bs=512 count=1 2>/dev/null | tr -d "\000"')
  size=$(k -n $ns exec raw -- blockdev --getsize64 /dev/xvda)
  [ "$read_back" = mooring-raw-block ] || fail "read back '$read_back'"
  ok "raw device /dev/xvda of $(( size / 1024 / 1024 / 1024 )) GiB: wrote and read back a block"

  say "journey 7/8: the LoadBalancer Service answers HTTP through localcloud's load balancer"
  wait_for 180 "load balancer ingress" has_ingress
  local lb_ip lb_mode lbs
  lb_ip=$(k -n $ns get service web -o jsonpath='{.status.loadBalancer.ingress[0].ip}')
  lb_mode=$(k -n $ns get service web -o jsonpath='{.status.loadBalancer.ingress[0].ipMode}')
  lbs=$(cloud /v2/load-balancers)
  echo "$lbs" | grep -q "\"$lb_ip\"" || fail "no load balancer in the cloud has address $lb_ip"
  local answer
  answer=$("${in_ns[@]}" curl -fsS --max-time 10 "http://$lb_ip/")
  echo "$answer" | grep -q "stored on a Mooring volume" || fail "http://$lb_ip/ answered: $answer"
  ok "http://$lb_ip/ (ipMode ${lb_mode:-VIP}; the local cloud's load balancer $(echo "$lbs" | python3 -c 'import json,sys; l=json.load(sys.stdin)["load_balancers"][0]; print(l["id"], [(r["frontend_port"], r["backend_port"]) for r in l["forwarding_rules"]])')) answered: $(echo "$answer" | tail -n 1)"
  if [ "${lb_mode:-VIP}" = VIP ]; then
    # With ipMode VIP kube-proxy answers the address itself. Ask for Proxy (Mooring's annotation):
    # once kube-proxy holds no rule for the address, only localcloud's load balancer can answer it.
    k -n $ns annotate service web loadbalancer.mooring.dev/ip-mode=Proxy >/dev/null
    wait_for 60 "ipMode Proxy published" ingress_is_proxy
    wait_for 60 "kube-proxy dropping its rule for $lb_ip" no_kube_proxy_rule_for "$lb_ip"
    answer=$("${in_ns[@]}" curl -fsS --max-time 10 "http://$lb_ip/")
    echo "$answer" | grep -q "stored on a Mooring volume" || fail "http://$lb_ip/ with ipMode Proxy answered: $answer"
    ok "with ipMode Proxy (loadbalancer.mooring.dev/ip-mode) and no kube-proxy rule for $lb_ip, the load balancer itself answered: $(echo "$answer" | tail -n 1)"
  fi

  say "journey 8/8: deleting everything leaves nothing in the cloud"
  k delete namespace $ns --wait=true --timeout=300s >/dev/null
  wait_for 300 "every Mooring PV deleted" no_mooring_pvs
  wait_for 120 "no block left in the cloud" no_blocks
  local blocks snapshots balancers
  blocks=$(cloud /v2/blocks | count blocks)
  snapshots=$(cloud /v2/blocks/snapshots | count snapshots)
  balancers=$(cloud /v2/load-balancers | count load_balancers)
  [ "$blocks$snapshots$balancers" = 000 ] || fail "left in the cloud: $blocks blocks, $snapshots snapshots, $balancers load balancers"
  ok "the cloud holds 0 blocks, 0 snapshots, 0 load balancers"
}

image_of() {  # the image the journey's own pods use for NAME
  if $start_cluster; then echo "$LOCAL/$1:$2"; else echo "docker.io/library/$1:$2"; fi
}

run_suite() {
  say "Kubernetes external-storage e2e suite (e2e.test, driver Tests/e2e/mooring-local.yaml)"
  local skip="" reasons=""
  if ! can_grow_ext4_online; then
    E2E_SKIPS+=("Dynamic PV \\(default fs\\)\\(allowExpansion\\)\\] volume-expand|growing a mounted ext4 (the default fs) needs CAP_SYS_RESOURCE, which no process here can hold (CapBnd in /proc/self/status)")
    E2E_SKIPS+=("Generic Ephemeral-volume \\(default fs\\).*should support expansion of pvcs created for ephemeral pvcs|the same online ext4 growth, of a generic ephemeral volume")
  fi
  for entry in "${E2E_SKIPS[@]}"; do
    skip+="${skip:+|}${entry%%|*}"
    reasons+="    skipped by name: ${entry%%|*} — ${entry#*|}"$'\n'
  done
  printf '%s' "$reasons"
  cat >"$WORK/repo-list.yaml" <<EOF
promoterE2eRegistry: $LOCAL/e2e-test-images
gcRegistry: $LOCAL
EOF
  local report=$WORK/e2e-report
  mkdir -p "$report"
  set +e
  "${in_ns[@]}" env KUBE_TEST_REPO_LIST="$WORK/repo-list.yaml" "$k8s_bin/e2e.test" \
    -kubeconfig="$kubeconfig" -storage.testdriver="$ROOT/Tests/e2e/mooring-local.yaml" \
    -ginkgo.focus="External.Storage${MOORING_E2E_FOCUS:+.*($MOORING_E2E_FOCUS)}" -ginkgo.skip="$skip" -ginkgo.no-color -ginkgo.timeout=4h \
    -ginkgo.junit-report="$report/junit.xml" -report-dir="$report" >"$WORK/logs/e2e.log" 2>&1
  local status=$?
  set -e
  grep -E '^(Ran [0-9]+ of [0-9]+ Specs|FAIL!|SUCCESS!|\[FAIL\])' "$WORK/logs/e2e.log" || true
  grep -E '^\s*\[FAIL\]' "$WORK/logs/e2e.log" | sort -u | head -n 40 || true
  cp "$WORK/logs/e2e.log" "${MOORING_E2E_SUITE_LOG:-/tmp/mooring-e2e-suite.log}"
  local junit=${MOORING_E2E_SUITE_LOG:-/tmp/mooring-e2e-suite.log}
  cp "$report/junit.xml" "${junit%.log}.junit.xml" 2>/dev/null || true
  echo "    JUnit report (every spec, passed or not): ${junit%.log}.junit.xml"
  echo "    full log: ${MOORING_E2E_SUITE_LOG:-/tmp/mooring-e2e-suite.log}"
  return $status
}

trap cleanup EXIT
IMAGES=()
SIDECAR_OVERRIDES=""
mkdir -p "$WORK"
if $start_cluster; then
  say "images (hack/release/build-images.sh --offline, stand-ins, sidecars)"
  "$ROOT/hack/release/build-images.sh" --offline >"/tmp/mooring-e2e-images.log" 2>&1 \
    || { tail -n 20 /tmp/mooring-e2e-images.log >&2; fail "hack/release/build-images.sh --offline"; }
  for p in csi-controller csi-node cloud-controller-manager localcloud; do IMAGES+=("ghcr.io/mooring-dev/$p:$VERSION"); done
  ok "Mooring images ${VERSION}"
  stand_in_images
  ok "stand-ins: pause, busybox, web"
  if [ -n "$sidecar_bin" ]; then sidecar_images; fi
  say "starting a single-node cluster from $k8s_bin ($("$k8s_bin/kubelet" --version))"
  start_control_plane_and_node
fi
install_mooring
journey
say "journey passed"
if $suite; then
  run_suite || fail "the e2e suite had failures"
  say "e2e suite passed"
fi
