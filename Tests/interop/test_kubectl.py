"""kubectl (v1.32, the real binary) against kube-standin: discovery, get, apply and describe work as
they do against kube-apiserver, so the local walk (hack/dev/run-local.sh) and a user can look at the
stand-in's objects with the tool they know.

kubectl comes from MOORING_KUBECTL, the venv (hack/install-deps.sh) or PATH.
"""
import json
import os
import pathlib
import shutil
import subprocess

import pytest

from test_ccm import Standin

REPO = pathlib.Path(__file__).resolve().parents[2]
VENV_KUBECTL = REPO / ".venv" / "bin" / "kubectl"
KUBECTL = (os.environ.get("MOORING_KUBECTL") or (str(VENV_KUBECTL) if VENV_KUBECTL.exists() else None)
           or shutil.which("kubectl"))
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed (hack/install-deps.sh puts one in .venv/bin)")

APP = REPO / "deploy" / "kubernetes" / "examples" / "app"


@pytest.fixture
def standin(bin_dir, tmp_path):
    s = Standin(bin_dir, tmp_path)
    yield s
    s.stop()


def kubectl(standin, *args, check=True, stdin=None):
    out = subprocess.run([KUBECTL, "--kubeconfig", str(standin.kubeconfig), *args], capture_output=True, text=True,
                         input=stdin, timeout=60)
    if check:
        assert out.returncode == 0, f"kubectl {' '.join(args)} failed:\n{out.stderr}"
    return out


def test_discovery_names_the_server_and_its_kinds(standin):
    version = json.loads(kubectl(standin, "version", "-o", "json").stdout)
    assert version["serverVersion"]["major"] == "1" and version["serverVersion"]["gitVersion"].startswith("v1.32")
    resources = kubectl(standin, "api-resources", "-o", "name").stdout.split()
    for name in ["nodes", "services", "configmaps", "secrets", "events", "leases.coordination.k8s.io",
                 "deployments.apps", "storageclasses.storage.k8s.io", "volumesnapshotclasses.snapshot.storage.k8s.io"]:
        assert name in resources
    # Short names resolve like kube-apiserver's.
    assert kubectl(standin, "get", "svc", "-A").returncode == 0
    assert "error" not in kubectl(standin, "get", "no").stderr.lower()


def test_apply_get_and_describe_the_example_app(standin):
    out = kubectl(standin, "apply", "-k", str(APP)).stdout
    for line in ["namespace/mooring-example created", "service/web created", "deployment.apps/web created",
                 "persistentvolumeclaim/web-data created"]:
        assert line in out, out
    assert "unchanged" in kubectl(standin, "apply", "-k", str(APP)).stdout

    service = json.loads(kubectl(standin, "-n", "mooring-example", "get", "service", "web", "-o", "json").stdout)
    assert service["spec"]["type"] == "LoadBalancer" and service["spec"]["ports"][0]["port"] == 80
    names = kubectl(standin, "-n", "mooring-example", "get", "svc,deploy,pvc", "-o", "name").stdout.split()
    assert {"service/web", "deployment.apps/web", "persistentvolumeclaim/web-data"} <= set(names)

    # A changed manifest is applied as a patch to the stored object (kubectl's strategic merge).
    changed = (APP / "service.yaml").read_text().replace("port: 80", "port: 8080")
    out = kubectl(standin, "-n", "mooring-example", "apply", "-f", "-", stdin=changed).stdout
    assert "service/web configured" in out
    service = json.loads(kubectl(standin, "-n", "mooring-example", "get", "service", "web", "-o", "json").stdout)
    assert [p["port"] for p in service["spec"]["ports"]] == [8080]
    assert "kubectl.kubernetes.io/last-applied-configuration" in service["metadata"]["annotations"]

    described = kubectl(standin, "-n", "mooring-example", "describe", "service", "web").stdout
    assert "Name:" in described and "web" in described and "LoadBalancer" in described and "8080" in described


def test_describe_a_node_the_ccm_would_initialize(standin):
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "worker-1", "labels": {"pool": "a"}},
            "spec": {"taints": [{"key": "node.cloudprovider.kubernetes.io/uninitialized", "value": "true",
                                 "effect": "NoSchedule"}]}}
    assert "node/worker-1 created" in kubectl(standin, "apply", "-f", "-", stdin=json.dumps(node)).stdout
    described = kubectl(standin, "describe", "node", "worker-1").stdout
    assert "worker-1" in described and "node.cloudprovider.kubernetes.io/uninitialized=true:NoSchedule" in described
    assert "worker-1" in kubectl(standin, "get", "nodes", "-l", "pool=a", "-o", "name").stdout


def test_what_the_standin_cannot_read_is_refused_plainly(standin):
    # kubectl's `create` generators send protobuf; the stand-in serves JSON only and says so (415),
    # as kube-apiserver does for a media type it does not take.
    out = kubectl(standin, "create", "namespace", "demo", check=False)
    assert out.returncode != 0
    assert "unknown format" in out.stderr or "UnsupportedMediaType" in out.stderr or "415" in out.stderr
    missing = kubectl(standin, "get", "service", "nope", check=False)
    assert missing.returncode != 0 and "NotFound" in missing.stderr


def test_standin_behaves_as_kube_apiserver_where_client_go_relies_on_it(standin):
    import requests
    base = f"http://127.0.0.1:{standin.port}"
    token = {"Authorization": f"Bearer {standin.token}"} if getattr(standin, "token", None) else {}
    health = requests.get(f"{base}/healthz", headers=token, timeout=5)
    assert health.status_code == 200 and health.text == "ok"
    # A Secret's stringData is folded into data (base64) and not kept.
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "tls"}, "stringData": {"domainZone": "example.com"},
              "data": {"subDomain": "c2hvcA=="}}
    kubectl(standin, "apply", "-f", "-", stdin=json.dumps(secret))
    stored = json.loads(kubectl(standin, "get", "secret", "tls", "-o", "json").stdout)
    assert stored["data"] == {"domainZone": "ZXhhbXBsZS5jb20=", "subDomain": "c2hvcA=="} and "stringData" not in stored
    # The status subresource takes metadata changes (the upstream service controller adds its
    # cleanup finalizer so) but never the spec.
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "lb"},
               "spec": {"type": "LoadBalancer", "ports": [{"port": 80}]}}
    kubectl(standin, "apply", "-f", "-", stdin=json.dumps(service))
    patch = {"metadata": {"finalizers": ["service.kubernetes.io/load-balancer-cleanup"]},
             "spec": {"type": "ClusterIP"}, "status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.1"}]}}}
    kubectl(standin, "patch", "service", "lb", "--subresource=status", "--type=merge", "-p", json.dumps(patch))
    stored = json.loads(kubectl(standin, "get", "service", "lb", "-o", "json").stdout)
    assert stored["metadata"]["finalizers"] == ["service.kubernetes.io/load-balancer-cleanup"]
    assert stored["spec"]["type"] == "LoadBalancer" and stored["status"]["loadBalancer"]["ingress"] == [{"ip": "192.0.2.1"}]
