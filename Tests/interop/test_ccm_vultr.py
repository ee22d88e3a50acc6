"""Vultr's Service annotations and node shapes through the real binaries: the Python `kubernetes`
client as the user, kube-standin as the API server, the real cloud-controller-manager and a real
localcloud whose data plane carries the traffic (see test_ccm_lb.py for the pattern).

Shown: two Services sharing `vultr-loadbalancer-label` get one load balancer carrying HTTP
traffic to both ports, and deleting one keeps the other's traffic flowing; a
`firewall-rules-cm` ConfigMap edit changes the load balancer's firewall; `auto-ssl` makes the
data plane present a certificate for the Secret's domain; `vpc: "true"` lands on the VPC of the
instance the CCM runs on (read from the metadata document through `--metadata-url`); a
dual-stack `provided-node-ip` node initializes.
"""
import base64
import socket
import ssl
import subprocess
import time
import urllib.request

import pytest

from test_ccm import CCM, check_calls_against_rbac, events, initialized, register_node, wait_for
from test_ccm_lb import answers, ingress_ip, load_balancers, service_body, service_or_none
from test_ccm_lb import world  # noqa: F401 — the same fixture: localcloud, kube-standin, node ports

VULTR = "service.beta.kubernetes.io/vultr-loadbalancer-"


def start_nodes(cloud, api, ports, node_ports, names=("n1", "n2")):
    instances = {name: cloud.create_instance(name) for name in names}
    for name, instance in instances.items():
        for port in (*node_ports, 10256):
            ports.serve(instance["internal_ip"], port, f"{name}:{port}")
    return instances


def test_shared_label_firewall_configmap_and_auto_ssl(bin_dir, tmp_path, world):
    cloud, standin, ports = world
    api = standin.api
    instances = start_nodes(cloud, api, ports, (30080, 30081, 30443))
    ccm = CCM(bin_dir, tmp_path, cloud, standin, "--lb-resync-period", "600s", "--concurrent-service-syncs", "2")
    try:
        for name in instances:
            register_node(api, name)
        for name in instances:
            wait_for(f"{name} initialized", lambda: initialized(api, name))

        # Two Services, one label: one load balancer carrying both ports.
        shared = {VULTR + "label": "shop"}
        api.create_namespaced_service("default", service_body("web", [(80, 30080)], shared))
        api.create_namespaced_service("default", service_body("api", [(8080, 30081)], shared))
        web_ip = wait_for("ingress for web", lambda: ingress_ip(api, "web"), timeout=40)
        api_ip = wait_for("ingress for api", lambda: ingress_ip(api, "api"), timeout=40)
        assert web_ip == api_ip, "both Services publish the shared load balancer's address"

        def both_rules():
            lbs = load_balancers(cloud)
            ok = len(lbs) == 1 and sorted(r["frontend_port"] for r in lbs[0]["forwarding_rules"]) == [80, 8080]
            return lbs[0] if ok else None
        lb = wait_for("one load balancer with both rules", both_rules)
        assert lb["label"] == "shop"
        wait_for("traffic to web's port", lambda: answers(f"http://{web_ip}:80/") == {"n1:30080", "n2:30080"}, timeout=30)
        wait_for("traffic to api's port", lambda: answers(f"http://{web_ip}:8080/") == {"n1:30081", "n2:30081"}, timeout=30)

        # A conflicting member is refused with a Warning and changes nothing.
        api.create_namespaced_service("default", service_body("admin", [(80, 30443)], shared))
        wait_for("conflict Warning", lambda: events(api, "SharedLoadBalancerConflict", "admin"))
        assert sorted(r["frontend_port"] for r in load_balancers(cloud)[0]["forwarding_rules"]) == [80, 8080]
        api.delete_namespaced_service("admin", "default")

        # Deleting one member keeps the other's traffic flowing on the same load balancer.
        api.delete_namespaced_service("web", "default")
        wait_for("web gone", lambda: service_or_none(api, "web") is None, timeout=40)
        wait_for("only api's rule left",
                 lambda: [r["frontend_port"] for r in load_balancers(cloud)[0]["forwarding_rules"]] == [8080])
        assert [b["id"] for b in load_balancers(cloud)] == [lb["id"]]
        assert answers(f"http://{api_ip}:8080/") == {"n1:30081", "n2:30081"}

        # firewall-rules-cm: the ConfigMap's rules reach the load balancer, and so does an edit.
        api.create_namespaced_config_map("default", {
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "fw"},
            "data": {"firewallRules": "v4:\n  - source: 10.0.0.0/8\n    port: 8080\n"}})
        api.patch_namespaced_service("api", "default", {"metadata": {"annotations": {VULTR + "firewall-rules-cm": "fw"}}})

        def firewall():
            return sorted((r["source"], r["port"], r["ip_type"]) for r in load_balancers(cloud)[0]["firewall_rules"])
        wait_for("the ConfigMap's rule applied", lambda: firewall() == [("10.0.0.0/8", 8080, "v4")])
        api.patch_namespaced_config_map("fw", "default", {"data": {"firewallRules":
            "v4:\n  - source: 127.0.0.0/8\n    port: 8080\nv6:\n  - source: 2001:db8::/32\n    port: 8080\n"}})
        wait_for("the ConfigMap edit applied",
                 lambda: firewall() == [("127.0.0.0/8", 8080, "v4"), ("2001:db8::/32", 8080, "v6")], timeout=15)
        assert answers(f"http://{api_ip}:8080/") == {"n1:30081", "n2:30081"}, "127.0.0.0/8 may still connect"

        # auto-ssl: the data plane presents a certificate made for the Secret's domain.
        api.create_namespaced_secret("default", {
            "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "domain"},
            # `data`, base64: kube-standin keeps `stringData` as written (an API server would merge it into `data`).
            "data": {"domainZone": base64.b64encode(b"example.com").decode(), "subDomain": base64.b64encode(b"shop").decode()}})
        api.create_namespaced_service("default", service_body("secure", [(443, 30443)], {
            VULTR + "protocol": "http", VULTR + "backend-protocol": "http", VULTR + "https-ports": "443",
            VULTR + "auto-ssl": "domain"}))
        secure_ip = wait_for("ingress for secure", lambda: ingress_ip(api, "secure"), timeout=40)
        [secure] = [b for b in load_balancers(cloud) if b["id"] != lb["id"]]
        assert secure["auto_ssl"] == {"domain_zone": "example.com", "domain_sub": "shop"}
        assert secure["has_ssl"] is True
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE

        def served_certificate():
            with socket.create_connection((secure_ip, 443), timeout=3) as raw, \
                    context.wrap_socket(raw, server_hostname="shop.example.com") as tls:
                return ssl.DER_cert_to_PEM_cert(tls.getpeercert(binary_form=True))
        pem = wait_for("TLS listener", served_certificate, timeout=30)
        # The openssl CLI (installed with the build dependencies) reads the certificate back.
        shown = subprocess.run(["openssl", "x509", "-noout", "-subject", "-ext", "subjectAltName"], input=pem,
                               capture_output=True, text=True, check=True).stdout
        assert "CN=shop.example.com" in shown.replace(" ", "") and "DNS:shop.example.com" in shown
        def https_answer():
            with urllib.request.urlopen(f"https://{secure_ip}:443/", context=context, timeout=5) as response:
                return response.read().decode()
        assert wait_for("HTTPS traffic through the auto-ssl certificate", https_answer, timeout=40) in {"n1:30443", "n2:30443"}
        ccm.alive()
    finally:
        code = ccm.stop()
    assert code == 0, ccm.output()
    recorded = [r for r in standin.stop() if r["authorization"] == "Bearer standin"]
    check_calls_against_rbac(recorded, [("services", "list"), ("configmaps", "list"), ("configmaps", "watch"),
                                        ("services/status", "patch"), ("events", "create"), ("secrets", "get")])


def test_dual_stack_and_bare_metal_nodes_initialize(bin_dir, tmp_path, world):
    cloud, standin, _ = world
    api = standin.api
    server = cloud.call("POST", "/v2/bare-metals", {"region": "ewr", "plan": "vbm-4c-32gb", "label": "metal"})["bare_metal"]
    [vpc] = cloud.call("GET", f"/v2/bare-metals/{server['id']}/vpc2")["vpcs"]
    ccm = CCM(bin_dir, tmp_path, cloud, standin)
    try:
        # A bare-metal node the kubelet registered with a dual-stack --node-ip.
        api.create_node({"apiVersion": "v1", "kind": "Node", "metadata": {
            "name": "metal", "labels": {"vultr.com/baremetal": "true"},
            "annotations": {"alpha.kubernetes.io/provided-node-ip": f"{vpc['ip_address']},{server['v6_main_ip']}"}},
            "spec": {"taints": [{"key": "node.cloudprovider.kubernetes.io/uninitialized", "value": "true",
                                 "effect": "NoSchedule"}]},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]}})
        node = wait_for("bare-metal node initialized", lambda: initialized(api, "metal"))
        assert node.spec.provider_id == f"vultr://{server['id']}"
        assert node.metadata.labels["node.kubernetes.io/instance-type"] == "vbm-4c-32gb"
        addresses = [(a.type, a.address) for a in node.status.addresses]
        assert addresses == [("Hostname", "metal"), ("InternalIP", vpc["ip_address"]),
                             ("ExternalIP", server["v6_main_ip"]), ("ExternalIP", server["main_ip"])]
        # Not Ready: a bare-metal server the cloud still has is never tainted as shut down.
        api.patch_node_status("metal", {"status": {"conditions": [{"type": "Ready", "status": "False"}]}})
        time.sleep(3)
        taints = [t.key for t in (api.read_node("metal").spec.taints or [])]
        assert "node.cloudprovider.kubernetes.io/shutdown" not in taints
        ccm.alive()
    finally:
        code = ccm.stop()
    assert code == 0, ccm.output()


def test_vpc_true_is_the_ccm_instances_vpc_and_a_dual_stack_node_initializes(bin_dir, tmp_path, world):
    cloud, standin, ports = world
    api = standin.api
    control_vpc = "6f1b0c2e-5d4a-4b3c-9a8f-7e6d5c4b3a21"
    control = cloud.call("POST", "/v2/instances", {"region": "ewr", "plan": "vc2-1c-1gb", "label": "control",
                                                    "attach_vpc": [control_vpc]})["instance"]
    instances = start_nodes(cloud, api, ports, (30080,), names=("n1",))
    node = instances["n1"]
    metadata_url = f"{cloud.url}/v1.json?instance_id={control['id']}"
    ccm = CCM(bin_dir, tmp_path, cloud, standin, "--metadata-url", metadata_url)
    try:
        # The kubelet's --node-ip=v4,v6: both must be the instance's, the node initializes.
        register_node(api, "n1", annotations={
            "alpha.kubernetes.io/provided-node-ip": f"{node['internal_ip']},{node['v6_main_ip']}"})
        initialized_node = wait_for("dual-stack node initialized", lambda: initialized(api, "n1"))
        addresses = [(a.type, a.address) for a in initialized_node.status.addresses]
        assert ("InternalIP", node["internal_ip"]) in addresses
        assert ("ExternalIP", node["v6_main_ip"]) in addresses
        assert not events(api, "InvalidNodeIP", "n1")

        api.create_namespaced_service("default", service_body("private", [(80, 30080)], {VULTR + "vpc": "true"}))
        api.create_namespaced_service("default", service_body("legacy", [(81, 30080)], {VULTR + "private-network": "yes"}))
        wait_for("ingress for private", lambda: ingress_ip(api, "private"), timeout=40)
        wait_for("ingress for legacy", lambda: ingress_ip(api, "legacy"), timeout=40)
        vpcs = {b["generic_info"]["vpc"] for b in load_balancers(cloud)}
        assert vpcs == {control_vpc}, "vpc: true is the VPC of the instance the CCM runs on (its metadata)"
        ccm.alive()
    finally:
        code = ccm.stop()
    assert code == 0, ccm.output()
