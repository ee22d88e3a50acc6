"""Services of type LoadBalancer end to end, through the real binaries: the Python `kubernetes`
client creates Nodes and Services in the Kubernetes stand-in (kube-standin), the real
cloud-controller-manager makes load balancers in a real localcloud, and the local cloud's data
plane carries HTTP traffic from the Service's ingress address to "node ports" served by this test
on each instance's internal address (with kube-proxy's /healthz on :10256 for the health check).

Shown: LB created with the right rules, targets and health check, ingress published, traffic
reaching every node; ports changed in place (same LB id); an excluded node dropped from the
targets; the Service deleted with its LB; and while the cloud API is down or failing, no LB is
deleted or duplicated and a deleted Service keeps its finalizer until the cloud is back. The
requests the CCM made are checked against the rendered RBAC at the end.
"""
import http.server
import socket
import threading
import time
import urllib.request

import pytest

from test_ccm import CCM, Cloud, Standin, check_calls_against_rbac, events, initialized, register_node, wait_for

FINALIZER = "service.kubernetes.io/load-balancer-cleanup"
EXCLUDE = "node.kubernetes.io/exclude-from-external-load-balancers"


class NodePorts:
    """HTTP servers on (address, port) answering with the node's name, and /healthz → 200."""

    def __init__(self):
        self.servers = []

    def serve(self, address, port, name):
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = b"ok" if self.path == "/healthz" else name.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = http.server.ThreadingHTTPServer((address, port), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.servers.append(server)

    def close(self):
        for server in self.servers:
            server.shutdown()
            server.server_close()


def get(url, timeout=3):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode()


def answers(url, tries=12):
    """The set of distinct bodies over several fresh connections."""
    seen = set()
    for _ in range(tries):
        try:
            seen.add(get(url))
        except OSError:
            pass
    return seen


def refused(address, port):
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex((address, port)) != 0


def service_body(name, ports, annotations=None):
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": "default", "annotations": annotations or {}},
            "spec": {"type": "LoadBalancer", "selector": {"app": name},
                     "ports": [{"name": f"p{port}", "port": port, "targetPort": port, "nodePort": node_port,
                                "protocol": "TCP"} for port, node_port in ports]}}


def ingress_ip(api, name):
    service = api.read_namespaced_service(name, "default")
    ingress = (service.status.load_balancer.ingress or []) if service.status and service.status.load_balancer else []
    return ingress[0].ip if ingress and ingress[0].ip else None


def load_balancers(cloud):
    return cloud.call("GET", "/v2/load-balancers?per_page=500")["load_balancers"]


def service_or_none(api, name):
    from kubernetes import client as kube
    try:
        return api.read_namespaced_service(name, "default")
    except kube.exceptions.ApiException as error:
        if error.status == 404:
            return None
        raise


@pytest.fixture
def world(bin_dir, tmp_path):
    cloud = Cloud(bin_dir, tmp_path)
    standin = Standin(bin_dir, tmp_path)
    ports = NodePorts()
    yield cloud, standin, ports
    ports.close()
    standin.stop()
    cloud.stop()


def test_load_balancer_lifecycle_carries_traffic_and_survives_cloud_outage(bin_dir, tmp_path, world):
    cloud, standin, ports = world
    api = standin.api
    instances = {name: cloud.create_instance(name) for name in ["n1", "n2", "n3"]}
    for name, instance in instances.items():
        for port in (30080, 30081, 10256):
            ports.serve(instance["internal_ip"], port, name)

    ccm = CCM(bin_dir, tmp_path, cloud, standin, "--lb-resync-period", "3s", "--concurrent-service-syncs", "2")
    try:
        for name in instances:
            register_node(api, name)
        for name in instances:
            wait_for(f"{name} initialized", lambda: initialized(api, name))

        # Created: finalizer, the right rules/targets/health check, ingress, traffic to every node.
        api.create_namespaced_service("default", service_body("web", [(80, 30080)]))
        ip = wait_for("ingress for web", lambda: ingress_ip(api, "web"), timeout=40)
        service = api.read_namespaced_service("web", "default")
        assert FINALIZER in (service.metadata.finalizers or [])
        [lb] = load_balancers(cloud)
        assert lb["ipv4"] == ip and lb["status"] == "active"
        assert [(r["frontend_protocol"], r["frontend_port"], r["backend_port"]) for r in lb["forwarding_rules"]] \
            == [("tcp", 80, 30080)]
        assert sorted(lb["instances"]) == sorted(i["id"] for i in instances.values())
        assert (lb["health_check"]["protocol"], lb["health_check"]["port"], lb["health_check"]["path"]) \
            == ("http", 10256, "/healthz")
        wait_for("EnsuredLoadBalancer event", lambda: events(api, "EnsuredLoadBalancer", "web"))
        assert events(api, "EnsuringLoadBalancer", "web")
        wait_for("traffic from every node through the LB",
                 lambda: answers(f"http://{ip}:80/") == {"n1", "n2", "n3"}, timeout=30)

        # Ports changed: same LB, new rule listening.
        api.patch_namespaced_service("web", "default", {"spec": {"ports": [
            {"name": "p80", "port": 80, "targetPort": 80, "nodePort": 30080, "protocol": "TCP"},
            {"name": "p8080", "port": 8080, "targetPort": 8080, "nodePort": 30081, "protocol": "TCP"}]}})

        def two_rules():
            [current] = load_balancers(cloud)
            return current if len(current["forwarding_rules"]) == 2 else None
        updated = wait_for("second forwarding rule", two_rules)
        assert updated["id"] == lb["id"], "the LB was recreated to change its ports"
        wait_for("traffic on the new port", lambda: answers(f"http://{ip}:8080/", tries=6) & {"n1", "n2", "n3"})

        # A node excluded from load balancers stops being a target; traffic avoids it.
        api.patch_node("n3", {"metadata": {"labels": {EXCLUDE: "true"}}})
        wait_for("n3 dropped from the targets",
                 lambda: instances["n3"]["id"] not in load_balancers(cloud)[0]["instances"])
        wait_for("no traffic to n3", lambda: answers(f"http://{ip}:80/") == {"n1", "n2"}, timeout=30)

        # The cloud down, then failing every call: nothing deleted or duplicated; a Service deleted
        # meanwhile keeps its finalizer until the cloud answers.
        api.create_namespaced_service("default", service_body("api", [(81, 30080)]))
        wait_for("ingress for api", lambda: ingress_ip(api, "api"), timeout=40)
        before = {b["id"] for b in load_balancers(cloud)}
        assert len(before) == 2
        cloud.stop()
        api.delete_namespaced_service("api", "default")
        api.patch_node("n2", {"metadata": {"labels": {EXCLUDE: "true"}}})  # a node change to propagate
        time.sleep(4)
        assert service_or_none(api, "api") is not None, "finalizer removed while the cloud was down"
        cloud.start("--faults", "error_rate=1")
        time.sleep(4)
        assert service_or_none(api, "api") is not None, "finalizer removed while the cloud was failing"
        cloud.stop()
        cloud.start()
        assert {b["id"] for b in load_balancers(cloud)} == before, "an LB was deleted or added during the outage"
        wait_for("api's Service gone once its LB is deleted", lambda: service_or_none(api, "api") is None, timeout=40)
        remaining = load_balancers(cloud)
        assert [b["id"] for b in remaining] == [lb["id"]]
        wait_for("n2 dropped after the outage", lambda: instances["n2"]["id"] not in load_balancers(cloud)[0]["instances"])
        assert events(api, "SyncLoadBalancerFailed", "api") or events(api, "SyncLoadBalancerFailed", "web") or \
            "cloud" in ccm.output()

        # Deleted with the Service: the LB goes, its listener closes, the Service goes.
        api.delete_namespaced_service("web", "default")
        wait_for("web gone", lambda: service_or_none(api, "web") is None, timeout=40)
        assert load_balancers(cloud) == []
        assert events(api, "DeletedLoadBalancer", "web")
        wait_for("web's listener closed", lambda: refused(ip, 80))
        ccm.alive()
    finally:
        code = ccm.stop()
    assert code == 0, ccm.output()
    recorded = [r for r in standin.stop() if r["authorization"] == "Bearer standin"]
    check_calls_against_rbac(recorded, [("services", "list"), ("services", "watch"), ("services/status", "patch"),
                                        ("events", "create"), ("nodes", "list"), ("leases", "update")])
