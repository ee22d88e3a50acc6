"""The real cloud-controller-manager binary end to end: a real localcloud process, the Kubernetes
stand-in as a process (kube-standin), and the Python `kubernetes` client as the independent peer
that registers Nodes the way a kubelet with --cloud-provider=external does and reads back what
the controllers made of them.

Short periods via the CCM's own flags keep it fast (monitor and route periods of 1 s).
At the end the requests the CCM made (recorded by the stand-in) are checked against the RBAC the
local overlay renders and against the documented table CCM_CALLS in test_deploy.py.
"""
import json
import os
import pathlib
import signal
import socket
import subprocess
import time
import urllib.request

import pytest
from kubernetes import client as kube

from mooring_procs import free_port, http_ok
from test_deploy import CCM_CALLS, KUBECTL, allows, bound_rules, render

KEY = "ccm-e2e-key-0123456789"
UNINITIALIZED = "node.cloudprovider.kubernetes.io/uninitialized"
SHUTDOWN = "node.cloudprovider.kubernetes.io/shutdown"
CLUSTER_CIDR = "10.244.0.0/16"
PEER_TOKEN = "peer"


def wait_for(what, predicate, timeout=30.0, interval=0.2):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except Exception as error:  # the peer may race the controller; keep looking
            last = error
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


class Cloud:
    """A localcloud process that can be stopped and started again at the same address and data
    directory (the cloud going away and coming back), optionally with injected faults."""

    def __init__(self, bin_dir, tmp_path):
        self.bin = str(bin_dir / "localcloud")
        self.address = f"127.0.0.1:{free_port()}"
        self.url = f"http://{self.address}"
        self.data = tmp_path / "cloud"
        self.data.mkdir(exist_ok=True)
        self.log_path = tmp_path / "localcloud.log"
        self.proc = None
        self.start()

    def start(self, *extra):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.bin, "--listen", self.address, "--data-dir", str(self.data),
                                      "--rate-limit", "0", "--pending-ms", "0", *extra],
                                     env={**os.environ, "LOCALCLOUD_API_KEY": KEY}, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        wait_for("localcloud /healthz", lambda: self.proc.poll() is None and http_ok(self.url + "/healthz"), 15)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method,
                                         headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read()
            return json.loads(text) if text else None

    def create_instance(self, label, plan="vc2-1c-1gb"):
        return self.call("POST", "/v2/instances", {"region": "ewr", "plan": plan, "label": label})["instance"]

    def routes(self):
        return self.call("GET", "/v2/routes?per_page=500")["routes"]


class Standin:
    """kube-standin on a free port; `api` is a CoreV1Api for the peer (its own token, so the
    CCM's requests can be told apart in the record)."""

    def __init__(self, bin_dir, tmp_path):
        self.port = free_port()
        self.kubeconfig = tmp_path / "kubeconfig"
        self.record = tmp_path / "requests.jsonl"
        self._log = open(tmp_path / "kube-standin.log", "wb")
        self.proc = subprocess.Popen([str(bin_dir / "kube-standin"), "--port", str(self.port),
                                      "--kubeconfig-out", str(self.kubeconfig), "--record", str(self.record)],
                                     stdout=self._log, stderr=subprocess.STDOUT)
        wait_for("kube-standin", lambda: self.kubeconfig.exists() and accepts_tcp(self.port), 15)
        configuration = kube.Configuration()
        configuration.host = f"http://127.0.0.1:{self.port}"
        configuration.api_key = {"authorization": f"Bearer {PEER_TOKEN}"}
        self.api = kube.CoreV1Api(kube.ApiClient(configuration))
        self.coordination = kube.CoordinationV1Api(kube.ApiClient(configuration))

    def stop(self):
        """SIGTERM; returns the recorded requests (dicts)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=15)
        self._log.close()
        if not self.record.exists():
            return []
        return [json.loads(line) for line in self.record.read_text().splitlines() if line]


class CCM:
    def __init__(self, bin_dir, tmp_path, cloud, standin, *extra, name="ccm"):
        self.metrics_port = free_port()
        self.log_path = tmp_path / f"{name}.log"
        self._log = open(self.log_path, "wb")
        self.argv = [str(bin_dir / "cloud-controller-manager"), "--kubeconfig", str(standin.kubeconfig),
                     "--api-url", cloud.url, "--cloud-provider", "vultr",
                     "--metrics-address", f"127.0.0.1:{self.metrics_port}", "--region", "ewr",
                     "--leader-elect", "--leader-elect-lease-duration=4s", "--leader-elect-renew-deadline", "3s",
                     "--leader-elect-retry-period=1s", "--node-monitor-period", "1s",
                     "--route-reconciliation-period=1s", "--node-status-update-frequency", "2s",
                     "--cluster-cidr", CLUSTER_CIDR, *extra]
        self.proc = subprocess.Popen(self.argv, stdout=self._log, stderr=subprocess.STDOUT,
                                     env={**os.environ, "VULTR_API_KEY": KEY})
        wait_for("cloud-controller-manager /healthz",
                 lambda: self.alive() and http_ok(f"http://127.0.0.1:{self.metrics_port}/healthz"), 20)

    def alive(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"cloud-controller-manager exited {self.proc.returncode}:\n{self.output()}")
        return True

    def output(self):
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout=15):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"cloud-controller-manager did not exit within {timeout}s of SIGTERM")
            finally:
                self._log.close()
        self._log.close()
        return self.proc.returncode


def accepts_tcp(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def ready_condition(ready: bool):
    now = "2026-01-01T00:00:00Z"
    return {"type": "Ready", "status": "True" if ready else "False", "reason": "KubeletReady" if ready else "KubeletNotReady",
            "message": "", "lastHeartbeatTime": now, "lastTransitionTime": now}


def register_node(api, name, pod_cidr=None, annotations=None):
    """What a kubelet with --cloud-provider=external registers."""
    spec = {"taints": [{"key": UNINITIALIZED, "value": "true", "effect": "NoSchedule"}]}
    if pod_cidr:
        spec.update(podCIDR=pod_cidr, podCIDRs=[pod_cidr])
    body = {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "annotations": annotations or {}},
            "spec": spec, "status": {"conditions": [ready_condition(True)]}}
    return api.create_node(body)


def set_ready(api, name, ready):
    api.patch_node_status(name, {"status": {"conditions": [ready_condition(ready)]}})


def taint_keys(node):
    return [t.key for t in (node.spec.taints or [])]


def node_or_none(api, name):
    try:
        return api.read_node(name)
    except kube.exceptions.ApiException as error:
        if error.status == 404:
            return None
        raise


def events(api, reason, name):
    return [e for e in api.list_namespaced_event("default").items
            if e.reason == reason and e.involved_object.name == name]


def initialized(api, name):
    node = api.read_node(name)
    return node if UNINITIALIZED not in taint_keys(node) and node.spec.provider_id else None


@pytest.fixture
def env(bin_dir, tmp_path):
    cloud = Cloud(bin_dir, tmp_path)
    standin = Standin(bin_dir, tmp_path)
    yield cloud, standin
    standin.stop()
    cloud.stop()


# ---------------------------------------------------------------------------------------------


def test_nodes_routes_lifecycle_and_rbac(bin_dir, tmp_path, env):
    cloud, standin = env
    api = standin.api
    instances = {name: cloud.create_instance(name) for name in ["alpha", "bravo", "charlie", "delta"]}
    outsider = cloud.create_instance("not-a-node")
    # A stale route inside the cluster CIDR (no node wants it) and one outside it (not ours).
    stale = cloud.call("POST", "/v2/routes", {"destination": "10.244.99.0/24", "instance_id": outsider["id"]})["route"]
    foreign = cloud.call("POST", "/v2/routes", {"destination": "192.168.50.0/24", "instance_id": outsider["id"]})["route"]

    ccm = CCM(bin_dir, tmp_path, cloud, standin)
    try:
        register_node(api, "alpha", "10.244.1.0/24",
                      annotations={"alpha.kubernetes.io/provided-node-ip": instances["alpha"]["main_ip"]})
        register_node(api, "bravo", "10.244.2.0/24")
        register_node(api, "charlie", "10.244.3.0/24")
        register_node(api, "delta", "10.244.4.0/24")
        register_node(api, "ghost", "10.244.5.0/24")  # no instance carries this name

        # Cloud node: provider ID, labels, addresses, taint off, Synced.
        for name, instance in instances.items():
            node = wait_for(f"{name} initialized", lambda: initialized(api, name))
            assert node.spec.provider_id == f"vultr://{instance['id']}"
            labels = node.metadata.labels
            assert labels["topology.kubernetes.io/region"] == "ewr"
            assert labels["failure-domain.beta.kubernetes.io/region"] == "ewr"
            assert labels["node.kubernetes.io/instance-type"] == "vc2-1c-1gb"
            assert labels["beta.kubernetes.io/instance-type"] == "vc2-1c-1gb"
            assert "topology.kubernetes.io/zone" not in labels  # the cloud has no zones
            addresses = [(a.type, a.address) for a in node.status.addresses]
            assert ("Hostname", name) in addresses
            assert ("InternalIP", instance["internal_ip"] or instance["main_ip"]) in addresses
            assert ("ExternalIP", instance["main_ip"]) in addresses
            wait_for(f"Synced event for {name}", lambda: events(api, "Synced", name))
        alpha = api.read_node("alpha")
        external = [a.address for a in alpha.status.addresses if a.type == "ExternalIP"]
        assert external[0] == instances["alpha"]["main_ip"]  # the provided node IP leads its type

        # A node without an instance stays tainted and says why.
        wait_for("InstanceNotFound event for ghost", lambda: events(api, "InstanceNotFound", "ghost"))
        assert UNINITIALIZED in taint_keys(api.read_node("ghost"))

        # Routes: one per pod CIDR to the node's instance; the stale one inside the cluster CIDR
        # goes, the foreign one stays; NetworkUnavailable False/RouteCreated.
        def routes_match():
            routes = {r["destination"]: r for r in cloud.routes()}
            want = {f"10.244.{i}.0/24": instances[n]["id"] for i, n in enumerate(["alpha", "bravo", "charlie", "delta"], 1)}
            ok = all(d in routes and routes[d]["instance_id"] == i for d, i in want.items())
            return ok and "10.244.99.0/24" not in routes and "192.168.50.0/24" in routes and routes
        routes = wait_for("routes for every pod CIDR", routes_match)
        assert "10.244.5.0/24" not in routes  # ghost is not initialized: no route
        assert routes["10.244.1.0/24"]["next_hop"] == instances["alpha"]["internal_ip"]
        assert "alpha" in routes["10.244.1.0/24"]["description"]
        assert stale["id"] not in [r["id"] for r in routes.values()]
        assert foreign["id"] in [r["id"] for r in routes.values()]

        def network_available(name):
            condition = next((c for c in api.read_node(name).status.conditions or [] if c.type == "NetworkUnavailable"), None)
            return condition and condition.status == "False" and condition.reason == "RouteCreated"
        wait_for("NetworkUnavailable=False on alpha", lambda: network_available("alpha"))
        # The kubelet's Ready condition survives the controller's condition patch.
        assert any(c.type == "Ready" for c in api.read_node("alpha").status.conditions)

        # Node removed by the cluster (instance still there) → its route goes.
        api.delete_node("delta")
        wait_for("delta's route removed", lambda: "10.244.4.0/24" not in {r["destination"] for r in cloud.routes()})

        # Powered off and not Ready → shutdown taint; Ready again → taint removed.
        cloud.call("POST", f"/v2/instances/{instances['bravo']['id']}/halt")
        set_ready(api, "bravo", False)
        wait_for("shutdown taint on bravo", lambda: SHUTDOWN in taint_keys(api.read_node("bravo")))
        assert node_or_none(api, "bravo") is not None  # powered off is not gone
        set_ready(api, "bravo", True)
        wait_for("shutdown taint off bravo", lambda: SHUTDOWN not in taint_keys(api.read_node("bravo")))

        # Instance deleted and node not Ready → node deleted, with an event.
        cloud.call("DELETE", f"/v2/instances/{instances['charlie']['id']}")
        set_ready(api, "charlie", False)
        wait_for("charlie deleted", lambda: node_or_none(api, "charlie") is None)
        assert events(api, "DeletingNode", "charlie")

        # The cloud down, then failing every call, while alpha's instance is gone: alpha stays.
        cloud.call("DELETE", f"/v2/instances/{instances['alpha']['id']}")
        cloud.stop()
        set_ready(api, "alpha", False)
        time.sleep(5)  # five monitor periods
        assert node_or_none(api, "alpha") is not None, "node deleted while the cloud API was down"
        cloud.start("--faults", "error_rate=1")
        time.sleep(5)
        assert node_or_none(api, "alpha") is not None, "node deleted while the cloud API was failing"
        assert "node check failed" in ccm.output()  # it did ask, and got errors
        cloud.stop()
        cloud.start()
        wait_for("alpha deleted once the cloud answers", lambda: node_or_none(api, "alpha") is None, timeout=30)
        ccm.alive()

        # Its Kubernetes API calls are counted by verb and status code, and timed by verb.
        text = urllib.request.urlopen(f"http://127.0.0.1:{ccm.metrics_port}/metrics", timeout=5).read().decode()
        counts = {line.split(" ")[0]: float(line.split(" ")[1]) for line in text.splitlines()
                  if line.startswith("kubernetes_client_request")}
        assert counts.get('kubernetes_client_requests_total{verb="GET",code="200"}', 0) > 0, text
        assert counts.get('kubernetes_client_requests_total{verb="DELETE",code="200"}', 0) >= 1, text
        assert counts.get('kubernetes_client_request_duration_seconds_count{verb="GET"}', 0) > 0, text
    finally:
        code = ccm.stop()
    assert code == 0, ccm.output()

    # SIGTERM released the lease.
    lease = standin.coordination.read_namespaced_lease("cloud-controller-manager", "kube-system")
    assert not lease.spec.holder_identity, lease.spec

    recorded = [r for r in standin.stop() if r["authorization"] == "Bearer standin"]
    check_calls_against_rbac(recorded)


def test_routes_disabled_by_controllers_flag(bin_dir, tmp_path, env):
    cloud, standin = env
    cloud.create_instance("echo")
    ccm = CCM(bin_dir, tmp_path, cloud, standin, "--controllers=*,-route", "--leader-elect=false")
    try:
        register_node(standin.api, "echo", "10.244.7.0/24")
        wait_for("echo initialized", lambda: initialized(standin.api, "echo"))
        time.sleep(3)  # three route periods
        assert cloud.routes() == []
        assert "controller disabled by --controllers" in ccm.output() and "route" in ccm.output()
    finally:
        assert ccm.stop() == 0


def test_route_controller_off_without_configure_cloud_routes(bin_dir, tmp_path, env):
    cloud, standin = env
    ccm = CCM(bin_dir, tmp_path, cloud, standin, "--configure-cloud-routes=false", "--leader-elect=false")
    try:
        ccm.alive()
    finally:
        assert ccm.stop() == 0
    assert "--configure-cloud-routes=false" in ccm.output()


@pytest.mark.parametrize("args, message", [
    (["--cloud-provider", "aws"], "not supported"),
    (["--controllers", "*,-bogus"], "unknown controller"),
    (["--node-monitor-period", "5 minutes"], "node-monitor-period"),
    (["--cluster-cidr", "10.0.0.0"], "--cluster-cidr"),
    (["--leader-elect-lease-duration", "1s"], "leaseDuration must be greater than renewDeadline"),
    (["--no-such-flag"], "no-such-flag"),
])
def test_bad_flags_fail_clearly(bin_dir, args, message):
    out = subprocess.run([str(bin_dir / "cloud-controller-manager"), *args], capture_output=True, text=True,
                         env={**os.environ, "VULTR_API_KEY": KEY}, timeout=30)
    assert out.returncode == 64, out
    assert message in out.stderr, out.stderr


# ---------------------------------------------------------------------------------------------
# What the CCM asked of the API server, against RBAC


def classify(request):
    """(group, resource[/subresource], verb, namespace, name) of a recorded request."""
    parts = [p for p in request["path"].split("/") if p]
    if parts[0] == "api":
        group, rest = "", parts[2:]
    else:
        group, rest = parts[1], parts[3:]
    namespace = None
    if len(rest) >= 2 and rest[0] == "namespaces" and len(rest) > 2:
        namespace, rest = rest[1], rest[2:]
    resource = rest[0]
    name = rest[1] if len(rest) > 1 else None
    if len(rest) > 2:
        resource += "/" + rest[2]
    verb = {"POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}.get(request["method"])
    if verb is None:
        verb = "get" if name else ("watch" if request["watch"] else "list")
    return group, resource, verb, namespace, name


NODE_CONTROLLER_CALLS = [("nodes", "list"), ("nodes", "watch"), ("nodes", "delete"), ("nodes/status", "patch"),
                         ("events", "create"), ("leases", "update")]


def check_calls_against_rbac(recorded, expected_calls=NODE_CONTROLLER_CALLS):
    assert recorded, "the stand-in recorded no request from the CCM"
    calls = {classify(r) for r in recorded}
    documented = {(g, r, v) for g, r, v, _ns, _name, _why in CCM_CALLS}
    undocumented = sorted({(g, r, v) for g, r, v, _ns, _name in calls} - documented)
    assert not undocumented, f"the CCM made calls CCM_CALLS does not document: {undocumented}"
    if KUBECTL is None:
        pytest.skip("kubectl missing: cannot render the RBAC to check the recorded calls against")
    rules = bound_rules(render("overlays/local"), "mooring-cloud-controller-manager", "kube-system")
    denied = sorted(c for c in calls if not allows(rules, *c))
    assert not denied, f"RBAC denies calls the CCM made: {denied}"
    # What the test made the controllers do shows up among the calls.
    verbs = {(r, v) for _g, r, v, _ns, _name in calls}
    for expected in expected_calls:
        assert expected in verbs, f"expected the CCM to have made {expected}; it made {sorted(verbs)}"
