#!/usr/bin/env python3
"""Helper of hack/dev/run-local.sh for the cloud controller manager step, using the cluster named by
KUBECONFIG (Python kubernetes client) and the local cloud (API and KEY in the environment).

    ccm-local.py register   one local-cloud instance per cluster Node (label = node name)
    ccm-local.py show       waits (up to 60 s) for Nodes waiting on a cloud provider to be
                            initialized, then prints every Node's provider ID and region
    ccm-local.py nodes N    (kube-standin as the cluster) adds N Nodes the way kubelet with
                            --cloud-provider=external registers them: tainted uninitialized
    ccm-local.py loadbalancer
                            a LoadBalancer Service through the CCM and the local cloud's load
                            balancer: starts an HTTP backend on every node's internal address
                            (its NodePort, and kube-proxy's :10256/healthz for the health check),
                            waits for the Service's address, fetches through it from every
                            node, then deletes the Service and waits for the LB to go
"""
import http.server
import socket
import threading
import json
import os
import sys
import time
import urllib.request

from kubernetes import client as kube, config

UNINITIALIZED = "node.cloudprovider.kubernetes.io/uninitialized"


def cloud(method, path, body=None):
    request = urllib.request.Request(os.environ["API"] + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": "Bearer " + os.environ["KEY"],
                                              "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(request, timeout=10))


def nodes():
    config.load_kube_config(os.environ["KUBECONFIG"])
    return kube.CoreV1Api().list_node(_request_timeout=10).items


def register():
    try:
        names = [n.metadata.name for n in nodes()]
    except Exception as error:  # noqa: BLE001 — any failure means: no usable cluster
        print(f"cannot list the cluster's Nodes: {error}", file=sys.stderr)
        return 1
    print(f"cluster nodes: {' '.join(names) or '(none)'}")
    known = {i["label"] for i in cloud("GET", "/v2/instances?per_page=500")["instances"]}
    for name in names:
        if name not in known:
            instance = cloud("POST", "/v2/instances", {"region": "ewr", "plan": "vc2-2c-4gb", "label": name})["instance"]
            print(f"instance {instance['id']} registered in the local cloud for node {name}")
    return 0


def show():
    waiting = []
    for _ in range(60):
        waiting = [n.metadata.name for n in nodes() if any(t.key == UNINITIALIZED for t in n.spec.taints or [])]
        if not waiting:
            break
        time.sleep(1)
    print(f"{'NODE':<24} {'PROVIDER ID':<46} REGION")
    for node in nodes():
        region = (node.metadata.labels or {}).get("topology.kubernetes.io/region", "")
        print(f"{node.metadata.name:<24} {node.spec.provider_id or '(none)':<46} {region}")
    if waiting:
        print(f"still waiting for a cloud provider: {', '.join(waiting)} (see the CCM log)")
    print("Nodes whose kubelet does not run with --cloud-provider=external are not initialized by a "
          "CCM (no uninitialized taint), and a Node's existing provider ID is never replaced.")
    return 0


def add_nodes():
    config.load_kube_config(os.environ["KUBECONFIG"])
    api = kube.CoreV1Api()
    existing = {n.metadata.name for n in api.list_node().items}
    for i in range(1, int(sys.argv[2]) + 1):
        name = f"local-node-{i}"
        if name in existing:
            continue
        api.create_node(kube.V1Node(
            metadata=kube.V1ObjectMeta(name=name, labels={"kubernetes.io/hostname": name}),
            spec=kube.V1NodeSpec(taints=[kube.V1Taint(key=UNINITIALIZED, value="true", effect="NoSchedule")]),
            status=kube.V1NodeStatus(conditions=[kube.V1NodeCondition(type="Ready", status="True")])))
        print(f"node {name} registered (tainted {UNINITIALIZED}, as kubelet --cloud-provider=external does)")
    return 0


def serve(address, port, name):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"ok" if self.path == "/healthz" else f"hello from {name}\n".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer((address, port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def wait(what, predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise SystemExit(f"gave up waiting for {what} after {timeout:.0f}s (see the CCM log)")


def loadbalancer():
    config.load_kube_config(os.environ["KUBECONFIG"])
    api = kube.CoreV1Api()
    node_port, namespace, name = 30080, "default", "hello"
    instances = {i["label"]: i for i in cloud("GET", "/v2/instances?per_page=500")["instances"]}
    servers = []
    for node in api.list_node().items:
        instance = instances.get(node.metadata.name)
        if instance is None:
            continue
        address = instance["internal_ip"]
        servers += [serve(address, node_port, node.metadata.name), serve(address, 10256, node.metadata.name)]
        print(f"backend for {node.metadata.name} on {address}:{node_port} (health check {address}:10256/healthz)")
    try:
        api.create_namespaced_service(namespace, kube.V1Service(
            metadata=kube.V1ObjectMeta(name=name),
            spec=kube.V1ServiceSpec(type="LoadBalancer", selector={"app": name}, ports=[
                kube.V1ServicePort(name="http", port=80, target_port=8080, node_port=node_port, protocol="TCP")])))
        print(f"Service {namespace}/{name} of type LoadBalancer created (port 80 → NodePort {node_port})")

        def ingress():
            status = api.read_namespaced_service(name, namespace).status
            entries = (status.load_balancer.ingress if status and status.load_balancer else None) or []
            return entries[0].ip if entries else None

        address = wait("the Service's load-balancer address", ingress)
        lbs = cloud("GET", "/v2/load-balancers")["load_balancers"]
        print(f"the CCM made load balancer {lbs[0]['id']} ({lbs[0]['label']}), status.loadBalancer.ingress = {address}")
        seen = set()

        def fetch():
            try:
                with urllib.request.urlopen(f"http://{address}:80/", timeout=3) as response:
                    seen.add(response.read().decode().strip())
            except OSError:
                pass
            return len(seen) == len(servers) // 2

        wait("traffic through the load balancer to every node", fetch, timeout=90)
        for answer in sorted(seen):
            print(f"  GET http://{address}/ → {answer}")
        api.delete_namespaced_service(name, namespace)
        wait("the load balancer to be deleted with its Service",
             lambda: not cloud("GET", "/v2/load-balancers")["load_balancers"])
        def closed():
            try:
                with socket.create_connection((address, 80), timeout=1):
                    return False
            except OSError:
                return True

        wait(f"{address}:80 to stop listening", closed, timeout=30)
        print(f"Service deleted: the CCM deleted its load balancer, and {address}:80 no longer answers")
    finally:
        for server in servers:
            server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit({"register": register, "show": show, "nodes": add_nodes, "loadbalancer": loadbalancer}[sys.argv[1]]())
