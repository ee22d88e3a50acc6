"""Deployment manifests (deploy/kubernetes): every overlay renders with `kubectl kustomize`, every
object is valid against the Kubernetes API schemas (offline, PyPI kubernetes-validate), every
image is pinned, every flag handed to a Mooring program is one it declares (and every option it
requires is given), the node image carries the tools the node plugin runs, the CSI controller
and node plugin agree on the region topology key, and RBAC grants what each program's API calls
need — and, for the cloud controller manager, nothing more.

kubectl comes from MOORING_KUBECTL, the venv (hack/install-deps.sh puts kubectl 1.32 with kustomize
v5 there) or PATH; the kustomizations use the current syntax (`resources`, `patches`), which
kustomize v2 (Debian's kubectl 1.20) does not read. Without kubectl the rendering tests are skipped
and say so; nothing else is.
"""
import json
import os
import pathlib
import re
import shutil
import subprocess

import kubernetes_validate
import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
KUBE = REPO / "deploy" / "kubernetes"
OVERLAYS = ["overlays/vultr", "overlays/local"]
RENDERED = OVERLAYS + ["examples/app"]
# Oldest Kubernetes minor the manifests target, and the newest the schemas know.
SCHEMA_VERSIONS = ["1.31.0", kubernetes_validate.latest_version()]
CLUSTER_SCOPED = {"CSIDriver", "StorageClass", "VolumeSnapshotClass", "ClusterRole", "ClusterRoleBinding",
                  "Namespace", "PriorityClass"}

VENV_KUBECTL = REPO / ".venv" / "bin" / "kubectl"
KUBECTL = (os.environ.get("MOORING_KUBECTL") or (str(VENV_KUBECTL) if VENV_KUBECTL.exists() else None)
           or shutil.which("kubectl"))
needs_kubectl = pytest.mark.skipif(
    KUBECTL is None,
    reason="kubectl is not installed (hack/install-deps.sh puts one in .venv/bin); cannot render the kustomize overlays")

_rendered: dict = {}
_warnings: dict = {}


def render(path: str) -> list:
    if path not in _rendered:
        out = subprocess.run([KUBECTL, "kustomize", str(KUBE / path)], capture_output=True, text=True)
        assert out.returncode == 0, f"kubectl kustomize {path} failed:\n{out.stderr}"
        _rendered[path] = [d for d in yaml.safe_load_all(out.stdout) if d]
        _warnings[path] = out.stderr.strip()
    return _rendered[path]


def find(objects: list, kind: str, name: str) -> dict:
    matches = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(matches) == 1, f"expected one {kind}/{name}, found {len(matches)}"
    return matches[0]


def pod_spec(obj: dict):
    if obj["kind"] in ("Deployment", "DaemonSet", "StatefulSet", "Job"):
        return obj["spec"]["template"]["spec"]
    if obj["kind"] == "Pod":
        return obj["spec"]
    return None


def containers(obj: dict) -> list:
    spec = pod_spec(obj)
    return [] if spec is None else spec.get("initContainers", []) + spec["containers"]


def flags(args: list) -> dict:
    """--name=value / --name → {name: [values]} (None for a bare flag)."""
    out: dict = {}
    for arg in args:
        assert arg.startswith("--"), f"argument {arg!r} is not --flag or --flag=value"
        name, _, value = arg[2:].partition("=")
        out.setdefault(name, []).append(value if "=" in arg else None)
    return out


def source(path: str) -> str:
    return (REPO / path).read_text()


# ---------------------------------------------------------------------------------------------
# What the code says

def declared_options(executable: str) -> dict:
    """Long flag name → whether it is required, for every option an ArgumentParser command
    declares: customLong names, else the property name in kebab case (ArgumentParser's default).
    An @Option whose type is not optional and that has no default value is required. Options in
    an @OptionGroup (a ParsableArguments struct in its own file, e.g. CSIStartup's) count too."""
    text = "\n".join(p.read_text() for p in (REPO / "Sources" / executable).glob("*.swift"))
    seen: set = set()
    while groups := set(re.findall(r"@OptionGroup[^\n]*?var\s+\w+\s*:\s*(\w+)", text)) - seen:
        seen |= groups
        for group in sorted(groups):
            files = list((REPO / "Sources").glob(f"*/{group}.swift"))
            assert len(files) == 1, f"option group {group}: expected one Sources/*/{group}.swift, found {files}"
            text += "\n" + files[0].read_text()
    options = {}
    for match in re.finditer(r"@(Option|Flag)\(([^@]*?)\)\s*(?:\n\s*)?(?:public\s+)?var\s+(\w+)([^\n]*)", text, re.S):
        custom = re.search(r'customLong\("([^"]+)"\)', match.group(2))
        name = custom.group(1) if custom else re.sub(r"(?<!^)([A-Z])", r"-\1", match.group(3)).lower()
        declaration = match.group(4)
        options[name] = match.group(1) == "Option" and "=" not in declaration and "?" not in declaration
    return options


def declared_flags(executable: str) -> set:
    return set(declared_options(executable))


def driver_name() -> str:
    return re.search(r'defaultName = "([^"]+)"', source("Sources/CSIDriver/DriverIdentity.swift")).group(1)


def mooring_version() -> str:
    return re.search(r'string = "([^"]+)"', source("Sources/Telemetry/MooringVersion.swift")).group(1)


def storage_class_keys() -> tuple:
    """The parameter keys csi-controller accepts and the values each takes (lower case; the
    controller lower-cases what it reads), from the controller's parser and the types it names:
    storage_type (block|vfs), disk_type (nvme|hdd, or the block type names) and block_type (the
    API's block types). Plus the prefix of the keys Kubernetes adds."""
    text = source("Sources/CSIController/VolumeParameters.swift")
    key = {name: re.search(rf'{name}Key = "(\w+)"', text).group(1) for name in ("storageType", "diskType", "blockType")}
    storage_types = set(re.findall(r"case (\w+)", source("Sources/CSIDriver/StorageType.swift")))
    disk_types = set(re.findall(r'"(\w+)"', re.search(r"func blockType\(named.*?\n    \}", text, re.S).group(0)))
    block_types = set(re.findall(r'= "(\w+)"', source("Sources/CloudAPI/BlockType.swift")))
    prefix = re.search(r'provisionerPrefix = "([^"]+)"', text).group(1)
    return {key["storageType"]: storage_types, key["diskType"]: disk_types, key["blockType"]: block_types}, prefix


# Vultr's six StorageClasses as vultr-csi v0.14.0 ships them (docs/releases/v0.14.0.yml): name →
# (parameters, reclaimPolicy). Mooring's vultr overlay serves the same names and parameters.
VULTR_STORAGE_CLASSES = {
    "vultr-block-storage": ({"disk_type": "nvme", "storage_type": "block"}, "Delete"),
    "vultr-block-storage-retain": ({"disk_type": "nvme", "storage_type": "block"}, "Retain"),
    "vultr-block-storage-hdd": ({"disk_type": "hdd", "storage_type": "block"}, "Delete"),
    "vultr-block-storage-hdd-retain": ({"disk_type": "hdd", "storage_type": "block"}, "Retain"),
    "vultr-vfs-storage": ({"disk_type": "nvme", "storage_type": "vfs"}, "Delete"),
    "vultr-vfs-storage-retain": ({"disk_type": "nvme", "storage_type": "vfs"}, "Retain"),
}


MOORING_IMAGES = {  # image name → executable whose flags its container may use
    "csi-controller": "csi-controller",
    "csi-node": "csi-node",
    "cloud-controller-manager": "cloud-controller-manager",
    "localcloud": "localcloud",
}


def mooring_executable(image: str):
    name = image.rsplit("/", 1)[-1].split(":")[0].split("@")[0]
    return MOORING_IMAGES.get(name) if image.startswith("ghcr.io/mooring-dev/") else None


# ---------------------------------------------------------------------------------------------
# RBAC: the API calls each program makes, and the rules that must allow them.
# (api group, resource, verb, namespace or None for cluster-wide, why)

# The kubernetes-csi sidecars' documented rules (deploy/kubernetes/rbac.yaml at the pinned tag),
# keyed by image and the version those rules were read from; the storage-capacity rules of
# external-provisioner are left out (Mooring does not serve GetCapacity, so the provisioner runs
# without --enable-capacity). Bumping a sidecar fails test_sidecar_versions_match_documented_rules
# until its rules here are read again.
def _rules(*entries):
    return [(g, r, v) for g, r, verbs in entries for v in verbs]


LEASES = _rules(("coordination.k8s.io", "leases", ["get", "watch", "list", "delete", "update", "create"]))
SIDECAR_RULES = {
    "csi-provisioner": ("v6.3.0", _rules(
        ("", "persistentvolumes", ["get", "list", "watch", "create", "patch", "delete"]),
        ("", "persistentvolumeclaims", ["get", "list", "watch", "update"]),
        ("storage.k8s.io", "storageclasses", ["get", "list", "watch"]),
        ("", "events", ["list", "watch", "create", "update", "patch"]),
        ("snapshot.storage.k8s.io", "volumesnapshots", ["get", "list", "watch", "update"]),
        ("snapshot.storage.k8s.io", "volumesnapshotcontents", ["get", "list"]),
        ("storage.k8s.io", "csinodes", ["get", "list", "watch"]),
        ("", "nodes", ["get", "list", "watch"]),
        ("storage.k8s.io", "volumeattachments", ["get", "list", "watch"])), LEASES),
    "csi-attacher": ("v4.12.0", _rules(
        ("", "persistentvolumes", ["get", "list", "watch", "patch"]),
        ("storage.k8s.io", "csinodes", ["get", "list", "watch"]),
        ("storage.k8s.io", "volumeattachments", ["get", "list", "watch", "patch"]),
        ("storage.k8s.io", "volumeattachments/status", ["patch"])), LEASES),
    "csi-resizer": ("v2.2.1", _rules(
        ("", "persistentvolumes", ["get", "list", "watch", "patch"]),
        ("", "persistentvolumeclaims", ["get", "list", "watch"]),
        ("", "pods", ["get", "list", "watch"]),
        ("", "persistentvolumeclaims/status", ["patch"]),
        ("", "events", ["list", "watch", "create", "update", "patch"]),
        ("storage.k8s.io", "volumeattributesclasses", ["get", "list", "watch"])), LEASES),
    "csi-snapshotter": ("v8.6.0", _rules(
        ("", "events", ["list", "watch", "create", "update", "patch"]),
        ("snapshot.storage.k8s.io", "volumesnapshotclasses", ["get", "list", "watch"]),
        ("snapshot.storage.k8s.io", "volumesnapshotcontents", ["get", "list", "watch", "update", "patch"]),
        ("snapshot.storage.k8s.io", "volumesnapshotcontents/status", ["update", "patch"]),
        ("groupsnapshot.storage.k8s.io", "volumegroupsnapshotclasses", ["get", "list", "watch"]),
        ("groupsnapshot.storage.k8s.io", "volumegroupsnapshotcontents", ["get", "list", "watch", "update", "patch"]),
        ("groupsnapshot.storage.k8s.io", "volumegroupsnapshotcontents/status", ["update", "patch"])), LEASES),
    # No API access at all.
    "csi-node-driver-registrar": ("v2.17.0", [], []),
    "livenessprobe": ("v2.19.0", [], []),
}

# The cloud controller manager's calls, from shared/DESIGN.md ("Kubernetes behaviour users expect
# from a CCM") and the Kubernetes module it is built on. test_ccm.py records what the real binary
# asks of the API server and fails on any call missing here (informers list+watch; LeaderElector
# get/create/update a Lease; EventRecorder create, then patch repeats). (group, resource, verb,
# namespace, resource name or None, why)
CCM_CALLS = [
    ("", "nodes", "list", None, None, "node informer (cloud node, lifecycle, routes, LB targets)"),
    ("", "nodes", "watch", None, None, "node informer"),
    ("", "nodes", "get", None, None, "re-read a node before changing it"),
    ("", "nodes", "update", None, None, "cloud node: providerID, region/instance-type labels and the uninitialized "
                                         "taint in one update guarded by the resourceVersion of its status patch; "
                                         "lifecycle: shutdown taint (get + update, retried on a conflict)"),
    ("", "nodes", "delete", None, None, "node lifecycle: instance confirmed gone (404)"),
    ("", "nodes/status", "patch", None, None, "addresses when they change (merge patch: whole list); "
                                              "NetworkUnavailable (strategic merge: that condition only)"),
    ("", "services", "list", None, None, "service informer"),
    ("", "services", "watch", None, None, "service informer"),
    ("", "services", "get", None, None, "re-read a service before changing it"),
    ("", "services", "patch", None, None, "finalizer service.kubernetes.io/load-balancer-cleanup on/off"),
    ("", "services", "update", None, None, "finalizer change on conflict retry (full object)"),
    ("", "services/status", "patch", None, None, "status.loadBalancer.ingress, only when it changes"),
    ("", "events", "create", "*", None, "Synced, EnsuringLoadBalancer, EnsuredLoadBalancer, ... (core/v1)"),
    ("", "events", "patch", "*", None, "repeated events: count and lastTimestamp"),
    ("", "secrets", "get", "*", None, "TLS certificate or auto-ssl domain named by a load-balancer annotation"),
    ("", "configmaps", "list", None, None, "ConfigMap informer (firewall-rules-cm)"),
    ("", "configmaps", "watch", None, None, "ConfigMap informer (firewall-rules-cm)"),
    ("", "configmaps", "get", "*", None, "firewall-rules-cm ConfigMap not yet in the informer's cache"),
    ("coordination.k8s.io", "leases", "get", "kube-system", "cloud-controller-manager", "leader election"),
    ("coordination.k8s.io", "leases", "create", "kube-system", None, "leader election: first start"),
    ("coordination.k8s.io", "leases", "update", "kube-system", "cloud-controller-manager", "leader election: renew, release"),
]


def bound_rules(objects: list, service_account: str, namespace: str) -> list:
    """(rule, scope namespace or None) for every rule bound to the service account."""
    def is_subject(binding):
        return any(s.get("kind") == "ServiceAccount" and s["name"] == service_account
                   and s.get("namespace", binding["metadata"].get("namespace")) == namespace
                   for s in binding.get("subjects", []))
    out = []
    for binding in objects:
        if binding["kind"] not in ("RoleBinding", "ClusterRoleBinding") or not is_subject(binding):
            continue
        ref = binding["roleRef"]
        scope = binding["metadata"].get("namespace") if binding["kind"] == "RoleBinding" else None
        if ref["kind"] == "ClusterRole":
            role = find(objects, "ClusterRole", ref["name"])
        else:
            role = next(o for o in objects if o["kind"] == "Role" and o["metadata"]["name"] == ref["name"]
                        and o["metadata"].get("namespace") == scope)
        out += [(rule, scope) for rule in role.get("rules", [])]
    return out


def allows(rules: list, group: str, resource: str, verb: str, namespace, name) -> bool:
    for rule, scope in rules:
        if scope is not None and namespace != scope:  # a Role grants only in its namespace
            continue
        if not (group in rule.get("apiGroups", []) or "*" in rule.get("apiGroups", [])):
            continue
        if not (resource in rule.get("resources", []) or "*" in rule.get("resources", [])):
            continue
        if not (verb in rule.get("verbs", []) or "*" in rule.get("verbs", [])):
            continue
        names = rule.get("resourceNames")
        if names and (name is None or name not in names):
            continue
        return True
    return False


# ---------------------------------------------------------------------------------------------
# Rendering and schemas

@needs_kubectl
@pytest.mark.parametrize("path", RENDERED)
def test_overlay_renders_expected_objects(path):
    objects = render(path)
    kinds = {o["kind"] for o in objects}
    if path.startswith("overlays/"):
        assert {"CSIDriver", "Deployment", "DaemonSet", "StorageClass", "VolumeSnapshotClass", "ClusterRole",
                "ClusterRoleBinding", "Role", "RoleBinding", "ServiceAccount"} <= kinds
        for kind, name in [("Deployment", "mooring-csi-controller"), ("DaemonSet", "mooring-csi-node"),
                           ("Deployment", "mooring-cloud-controller-manager")]:
            assert find(objects, kind, name)["metadata"]["namespace"] == "kube-system"
        for o in objects:
            if o["kind"] not in CLUSTER_SCOPED:
                assert o["metadata"].get("namespace") == "kube-system", f"{o['kind']}/{o['metadata']['name']}"
    else:
        assert {"PersistentVolumeClaim", "Deployment", "Service"} <= kinds


@needs_kubectl
@pytest.mark.parametrize("path", RENDERED + ["base"])
def test_kustomize_prints_no_warning(path):
    # Deprecated fields (`bases`, `patchesStrategicMerge`, `patchesJson6902`) make kubectl warn.
    render(path)
    assert _warnings[path] == "", f"kubectl kustomize {path} warns:\n{_warnings[path]}"
    for kustomization in (KUBE / path).glob("kustomization.y*ml"):
        deprecated = {"bases", "patchesStrategicMerge", "patchesJson6902", "commonLabels", "vars"}
        assert not deprecated & set(yaml.safe_load(kustomization.read_text())), kustomization


@needs_kubectl
@pytest.mark.parametrize("version", SCHEMA_VERSIONS)
@pytest.mark.parametrize("path", RENDERED)
def test_every_object_is_valid_against_the_api_schema(path, version):
    problems = []
    for o in render(path):
        if o["kind"] == "VolumeSnapshotClass":
            problems += volume_snapshot_class_problems(o)
            continue
        try:
            kubernetes_validate.validate(o, version, strict=True)
        except kubernetes_validate.ValidationError as e:
            problems.append(f"{o['kind']}/{o['metadata']['name']}: {e.message}")
    assert not problems, "\n".join(problems)


def volume_snapshot_class_problems(o: dict) -> list:
    """kubernetes-validate knows only built-in kinds; VolumeSnapshotClass is a CRD
    (snapshot.storage.k8s.io/v1, from external-snapshotter): its fields checked by hand."""
    problems = []
    allowed = {"apiVersion", "kind", "metadata", "driver", "deletionPolicy", "parameters"}
    if o.get("apiVersion") != "snapshot.storage.k8s.io/v1":
        problems.append(f"VolumeSnapshotClass apiVersion {o.get('apiVersion')!r}")
    if set(o) - allowed:
        problems.append(f"VolumeSnapshotClass unknown fields {sorted(set(o) - allowed)}")
    if not isinstance(o.get("driver"), str) or not o["driver"]:
        problems.append("VolumeSnapshotClass needs a driver")
    if o.get("deletionPolicy") not in ("Delete", "Retain"):
        problems.append(f"VolumeSnapshotClass deletionPolicy {o.get('deletionPolicy')!r}")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in o.get("parameters", {}).items()):
        problems.append("VolumeSnapshotClass parameters must map strings to strings")
    return problems


def test_schema_validation_rejects_a_misspelled_field():
    """The validator runs offline and strictly: a typo in a container is an error, not ignored."""
    deployment = yaml.safe_load((KUBE / "base" / "csi-controller.yaml").read_text())
    deployment["spec"]["template"]["spec"]["containers"][0]["imagePulPolicy"] = "Always"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, SCHEMA_VERSIONS[0], strict=True)
    assert volume_snapshot_class_problems({"apiVersion": "snapshot.storage.k8s.io/v1", "kind": "VolumeSnapshotClass",
                                           "metadata": {"name": "x"}, "driver": "d", "deletionPolicy": "Keep"})


# ---------------------------------------------------------------------------------------------
# Images

PINNED = re.compile(r"^[a-z0-9.-]+(:[0-9]+)?/[a-z0-9._/-]+(:v?\d+(\.\d+)*([.-][0-9A-Za-z.-]+)?)?(@sha256:[0-9a-f]{64})?$")


def image_problem(image: str):
    if "@sha256:" in image:
        return None if PINNED.match(image) else "malformed digest reference"
    tag = image.rsplit(":", 1)[-1] if ":" in image.rsplit("/", 1)[-1] else None
    if tag is None:
        return "no tag (means latest)"
    if "latest" in tag:
        return "tag names latest"
    if not PINNED.match(image) or not re.match(r"^v?\d+\.\d+", tag):
        return f"tag {tag!r} is not a version"
    return None


def test_image_pin_check_refuses_unpinned_references():
    for bad in ["registry.k8s.io/sig-storage/csi-provisioner", "ghcr.io/mooring-dev/csi-node:latest",
                "docker.io/library/debian:bookworm-slim", "docker.io/library/swift:6-latest", "busybox:1.37.0"]:
        assert image_problem(bad), bad
    for good in ["registry.k8s.io/sig-storage/csi-provisioner:v6.3.0", "docker.io/library/debian:12.11-slim",
                 "ghcr.io/mooring-dev/csi-node@sha256:" + "a" * 64]:
        assert image_problem(good) is None, good


@needs_kubectl
@pytest.mark.parametrize("path", RENDERED)
def test_every_image_is_pinned(path):
    problems = [f"{c['name']}: {c['image']}: {image_problem(c['image'])}"
                for o in render(path) for c in containers(o) if image_problem(c["image"])]
    assert not problems, "\n".join(problems)


def test_containerfile_base_images_are_pinned():
    text = (REPO / "Containerfile").read_text()
    args = dict(re.findall(r"^ARG (\w+)=(\S+)", text, re.M))
    bases = [args.get(m.strip("${}"), m) for m in re.findall(r"^FROM (\S+)", text, re.M)]
    external = [b for b in bases if "/" in b]  # the rest name earlier stages
    assert external, "no base image found"
    problems = [f"{b}: {image_problem(b)}" for b in external if image_problem(b)]
    assert not problems, "\n".join(problems)


@needs_kubectl
@pytest.mark.parametrize("path", OVERLAYS)
def test_mooring_images_carry_the_release_version(path):
    tags = {c["image"] for o in render(path) for c in containers(o) if mooring_executable(c["image"])}
    assert tags, "no Mooring image"
    assert {t.rsplit(":", 1)[-1] for t in tags} == {mooring_version()}, tags


# ---------------------------------------------------------------------------------------------
# Flags and names the programs know

@needs_kubectl
@pytest.mark.parametrize("path", OVERLAYS)
def test_mooring_containers_use_only_declared_flags_once(path):
    problems = []
    for o in render(path):
        for c in containers(o):
            executable = mooring_executable(c["image"])
            if executable is None or "command" in c:  # a command of its own runs something else
                continue
            known = declared_flags(executable)
            given = flags(c.get("args", []))
            for name, values in given.items():
                if name not in known:
                    problems.append(f"{o['metadata']['name']}/{c['name']}: --{name} is not a flag of {executable}")
                if len(values) > 1:
                    problems.append(f"{o['metadata']['name']}/{c['name']}: --{name} given {len(values)} times")
            for name, required in declared_options(executable).items():
                if required and name not in given:
                    problems.append(f"{o['metadata']['name']}/{c['name']}: {executable} requires --{name}")
    assert not problems, "\n".join(problems)


def test_flag_reader_finds_the_contract_flags():
    """declared_flags reads the real sources: the contract's flags are there, an invented one is not."""
    assert {"endpoint", "api-url", "api-key-file", "driver-name", "log-format"} <= declared_flags("csi-controller")
    assert {"endpoint", "device-dir", "driver-name", "log-format"} <= declared_flags("csi-node")
    assert {"listen", "data-dir", "device-dir", "real-devices", "api-key-file"} <= declared_flags("localcloud")
    assert "metrics-adress" not in declared_flags("localcloud")
    assert {"kubeconfig", "api-url", "leader-elect", "controllers", "cluster-cidr", "configure-cloud-routes",
            "node-monitor-period", "metrics-address", "log-format"} <= declared_flags("cloud-controller-manager")
    localcloud = declared_options("localcloud")
    assert localcloud["data-dir"] is True and localcloud["listen"] is False and localcloud["real-devices"] is False


@needs_kubectl
@pytest.mark.parametrize("path", OVERLAYS)
def test_each_overlay_points_every_program_at_one_cloud(path):
    objects = render(path)
    urls = {}
    for name, container in [("mooring-csi-controller", "csi-controller"),
                            ("mooring-cloud-controller-manager", "cloud-controller-manager")]:
        c = next(c for c in containers(find(objects, "Deployment", name)) if c["name"] == container)
        urls[name] = flags(c["args"]).get("api-url")
    if path == "overlays/vultr":
        assert set(map(tuple, urls.values())) == {("https://api.vultr.com",)}, urls
    else:
        cloud = next(c for c in containers(find(objects, "Deployment", "mooring-localcloud")))
        port = flags(cloud["args"])["listen"][0].rsplit(":", 1)[1]
        assert set(map(tuple, urls.values())) == {(f"http://$(HOST_IP):{port}",)}, urls
        for name in urls:
            c = containers(find(objects, "Deployment", name))[0]
            env = {e["name"]: e for e in c.get("env", [])}
            assert env["HOST_IP"]["valueFrom"]["fieldRef"]["fieldPath"] == "status.hostIP"


@needs_kubectl
@pytest.mark.parametrize("path", OVERLAYS)
def test_driver_name_matches_the_code_everywhere(path):
    objects = render(path)
    name = driver_name()
    assert [o["metadata"]["name"] for o in objects if o["kind"] == "CSIDriver"] == [name]
    assert {o["provisioner"] for o in objects if o["kind"] == "StorageClass"} == {name}
    assert {o["driver"] for o in objects if o["kind"] == "VolumeSnapshotClass"} == {name}
    node = find(objects, "DaemonSet", "mooring-csi-node")
    registrar = next(c for c in containers(node) if c["name"] == "node-driver-registrar")
    assert flags(registrar["args"])["kubelet-registration-path"] == [f"/var/lib/kubelet/plugins/{name}/csi.sock"]
    plugin_dir = next(v for v in pod_spec(node)["volumes"] if v["name"] == "plugin-dir")
    assert plugin_dir["hostPath"]["path"] == f"/var/lib/kubelet/plugins/{name}"


@needs_kubectl
@pytest.mark.parametrize("path", OVERLAYS)
def test_storage_classes_use_parameters_the_controller_accepts(path):
    accepted, prefix = storage_class_keys()
    classes = [o for o in render(path) if o["kind"] == "StorageClass"]
    defaults = [c["metadata"]["name"] for c in classes
                if c["metadata"].get("annotations", {}).get("storageclass.kubernetes.io/is-default-class") == "true"]
    assert len(defaults) == 1, defaults
    fstypes = set()
    for c in classes:
        assert c["volumeBindingMode"] == "WaitForFirstConsumer" and c["allowVolumeExpansion"] is True, c["metadata"]
        for key, value in c.get("parameters", {}).items():
            if key.startswith(prefix):
                continue
            assert key in accepted and value.lower() in accepted[key], f"{c['metadata']['name']}: {key}={value}"
        if c["parameters"].get("storage_type", "block").lower() == "vfs":
            # A VFS comes on NVMe only, and has no filesystem of the node's making.
            assert c["parameters"].get("disk_type", "nvme").lower() == "nvme", c["metadata"]["name"]
            assert prefix + "fstype" not in c["parameters"], c["metadata"]["name"]
            continue
        fstypes.add(c["parameters"].get(prefix + "fstype", "ext4"))
    default = next(c for c in classes if c["metadata"]["name"] == defaults[0])
    assert default["parameters"].get(prefix + "fstype", "ext4") == "ext4"
    assert {"ext4", "xfs"} <= fstypes


def test_parameter_reader_knows_the_vultr_keys_and_their_meanings():
    accepted, prefix = storage_class_keys()
    assert accepted == {"storage_type": {"block", "vfs"}, "disk_type": {"nvme", "hdd", "high_perf", "storage_opt"},
                        "block_type": {"high_perf", "storage_opt"}}
    assert prefix == "csi.storage.k8s.io/"


@needs_kubectl
def test_vultr_overlay_ships_vultrs_six_storage_classes_unchanged():
    classes = {o["metadata"]["name"]: o for o in render("overlays/vultr") if o["kind"] == "StorageClass"}
    for name, (parameters, reclaim) in VULTR_STORAGE_CLASSES.items():
        assert name in classes, f"{name} missing from the vultr overlay"
        assert classes[name]["parameters"] == parameters, name
        assert classes[name].get("reclaimPolicy", "Delete") == reclaim, name
    # Mooring's own classes are still there beside them.
    assert {"mooring-block", "mooring-block-xfs", "mooring-block-hdd"} <= set(classes)
    local = {o["metadata"]["name"] for o in render("overlays/local") if o["kind"] == "StorageClass"}
    assert not local & set(VULTR_STORAGE_CLASSES), "Vultr's names belong to the vultr overlay only"


# ---------------------------------------------------------------------------------------------
# Pods: the conventions every CSI driver and CCM follows

@needs_kubectl
@pytest.mark.parametrize("path", OVERLAYS)
def test_csi_driver_object(path):
    spec = find(render(path), "CSIDriver", driver_name())["spec"]
    assert spec["attachRequired"] is True and spec["podInfoOnMount"] is True
    assert spec["fsGroupPolicy"] == "File" and spec["volumeLifecycleModes"] == ["Persistent"]


@needs_kubectl
@pytest.mark.parametrize("path", OVERLAYS)
def test_controller_sidecars_elect_leaders_and_share_the_socket(path):
    deployment = find(render(path), "Deployment", "mooring-csi-controller")
    spec = pod_spec(deployment)
    socket = next(v for v in spec["volumes"] if v["name"] == "socket-dir")
    assert "emptyDir" in socket
    by_name = {c["name"]: c for c in spec["containers"]}
    endpoint = flags(by_name["csi-controller"]["args"])["endpoint"][0]
    assert endpoint == "unix:///csi/csi.sock"
    for name in ["csi-provisioner", "csi-attacher", "csi-resizer", "csi-snapshotter"]:
        f = flags(by_name[name]["args"])
        assert "leader-election" in f, name
        assert f["leader-election-namespace"] == ["$(NAMESPACE)"], name
        assert f["csi-address"] == ["/csi/csi.sock"], name
    for c in spec["containers"]:
        assert any(m["name"] == "socket-dir" and m["mountPath"] == "/csi" for m in c["volumeMounts"]), c["name"]
    assert "extra-create-metadata" in flags(by_name["csi-provisioner"]["args"])
    assert "liveness-probe" in by_name


@needs_kubectl
@pytest.mark.parametrize("path", OVERLAYS)
def test_controller_and_ccm_run_non_root_with_read_only_root(path):
    for name in ["mooring-csi-controller", "mooring-cloud-controller-manager"]:
        spec = pod_spec(find(render(path), "Deployment", name))
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        for c in spec["containers"]:
            sc = c["securityContext"]
            assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False, c["name"]
            assert sc["capabilities"]["drop"] == ["ALL"], c["name"]
            assert not sc.get("privileged"), c["name"]


@needs_kubectl
@pytest.mark.parametrize("path", OVERLAYS)
def test_node_plugin_is_privileged_with_kubelet_mounts(path):
    spec = pod_spec(find(render(path), "DaemonSet", "mooring-csi-node"))
    node = next(c for c in spec["containers"] if c["name"] == "csi-node")
    assert node["securityContext"]["privileged"] is True
    mounts = {m["mountPath"]: m for m in node["volumeMounts"]}
    assert mounts["/var/lib/kubelet"]["mountPropagation"] == "Bidirectional"
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes[mounts["/var/lib/kubelet"]["name"]]["hostPath"]["path"] == "/var/lib/kubelet"
    assert volumes[mounts["/dev"]["name"]]["hostPath"]["path"] == "/dev"
    if path == "overlays/local":
        # The local cloud's metadata document knows the node by the address its requests come from.
        assert spec.get("hostNetwork") is True, "csi-node must reach the local cloud from the node's IP"
    else:
        assert not spec.get("hostNetwork"), "the node plugin needs no host network"
    assert {c["name"] for c in spec["containers"]} == {"csi-node", "node-driver-registrar", "liveness-probe"}
    assert spec["tolerations"] == [{"operator": "Exists"}]


@needs_kubectl
@pytest.mark.parametrize("path", OVERLAYS)
def test_ccm_tolerates_uninitialized_and_not_ready_nodes_and_elects_a_leader(path):
    spec = pod_spec(find(render(path), "Deployment", "mooring-cloud-controller-manager"))
    taints = {(t["key"], t.get("effect")) for t in spec["tolerations"]}
    assert ("node.cloudprovider.kubernetes.io/uninitialized", "NoSchedule") in taints
    assert ("node.kubernetes.io/not-ready", "NoSchedule") in taints
    assert flags(spec["containers"][0]["args"])["leader-elect"] == ["true"]
    env = {e["name"]: e for e in spec["containers"][0]["env"]}
    assert env["VULTR_API_KEY"]["valueFrom"]["secretKeyRef"] == {"name": "mooring-api-key", "key": "api-key"}


@needs_kubectl
@pytest.mark.parametrize("path", RENDERED)
def test_every_container_has_resources_and_long_running_ones_have_probes(path):
    problems = []
    for o in render(path):
        spec = pod_spec(o)
        if spec is None:
            continue
        init = {c["name"] for c in spec.get("initContainers", [])}
        for c in containers(o):
            r = c.get("resources", {})
            if not r.get("requests", {}).get("cpu") or not r.get("requests", {}).get("memory") \
                    or not r.get("limits", {}).get("memory"):
                problems.append(f"{o['metadata']['name']}/{c['name']}: needs cpu+memory requests and a memory limit")
            # The livenessprobe sidecar is the probe; init containers end.
            if c["name"] not in init and c["name"] != "liveness-probe" and "livenessProbe" not in c:
                problems.append(f"{o['metadata']['name']}/{c['name']}: no livenessProbe")
    assert not problems, "\n".join(problems)


@needs_kubectl
@pytest.mark.parametrize("path", OVERLAYS)
def test_api_key_comes_only_from_the_secret(path):
    objects = render(path)
    assert not [o for o in objects if o["kind"] == "Secret"], "no key may ship in the manifests"
    controller = pod_spec(find(objects, "Deployment", "mooring-csi-controller"))
    key_volume = next(v for v in controller["volumes"] if v["name"] == "api-key")
    assert key_volume["secret"]["secretName"] == "mooring-api-key"
    c = controller["containers"][0]
    mount = next(m for m in c["volumeMounts"] if m["name"] == "api-key")
    assert flags(c["args"])["api-key-file"] == [mount["mountPath"] + "/" + key_volume["secret"]["items"][0]["path"]]


# ---------------------------------------------------------------------------------------------
# RBAC

@needs_kubectl
def test_sidecar_versions_match_documented_rules():
    objects = render("overlays/vultr")
    images = {c["image"] for o in objects for c in containers(o) if "sig-storage" in c["image"]}
    pinned = {i.rsplit("/", 1)[1].split(":")[0]: i.rsplit(":", 1)[1] for i in images}
    assert pinned == {name: version for name, (version, _, _) in SIDECAR_RULES.items()}


@needs_kubectl
@pytest.mark.parametrize("path", OVERLAYS)
def test_controller_service_account_allows_every_sidecar_call(path):
    objects = render(path)
    deployment = find(objects, "Deployment", "mooring-csi-controller")
    namespace = deployment["metadata"]["namespace"]
    rules = bound_rules(objects, pod_spec(deployment)["serviceAccountName"], namespace)
    missing = []
    for c in containers(deployment):
        sidecar = c["image"].rsplit("/", 1)[1].split(":")[0]
        if sidecar not in SIDECAR_RULES:
            continue
        _, cluster, leases = SIDECAR_RULES[sidecar]
        for group, resource, verb in cluster:
            if not allows(rules, group, resource, verb, "some-namespace", None):
                missing.append(f"{sidecar}: {verb} {group or 'core'}/{resource} (cluster-wide)")
        for group, resource, verb in leases:
            if not allows(rules, group, resource, verb, namespace, "lease-of-" + sidecar):
                missing.append(f"{sidecar}: {verb} {group}/{resource} in {namespace}")
            if allows(rules, group, resource, verb, "default", None):
                missing.append(f"{sidecar}: {verb} {group}/{resource} is granted beyond {namespace}")
    assert not missing, "\n".join(missing)


@needs_kubectl
@pytest.mark.parametrize("path", OVERLAYS)
def test_ccm_rbac_allows_exactly_the_calls_it_makes(path):
    objects = render(path)
    deployment = find(objects, "Deployment", "mooring-cloud-controller-manager")
    rules = bound_rules(objects, pod_spec(deployment)["serviceAccountName"], deployment["metadata"]["namespace"])
    missing = [f"{verb} {group or 'core'}/{resource} ({why})"
               for group, resource, verb, namespace, name, why in CCM_CALLS
               if not allows(rules, group, resource, verb, "some-namespace" if namespace == "*" else namespace, name)]
    assert not missing, "not allowed:\n" + "\n".join(missing)
    needed = {(g, r, v) for g, r, v, _, _, _ in CCM_CALLS}
    extra = [f"{verb} {group or 'core'}/{resource}"
             for rule, _ in rules for group in rule["apiGroups"] for resource in rule["resources"]
             for verb in rule["verbs"] if (group, resource, verb) not in needed]
    assert not extra, "granted but never used:\n" + "\n".join(extra)
    # The lease rules reach kube-system only, and the named lease only for get/update.
    assert not allows(rules, "coordination.k8s.io", "leases", "update", "kube-system", "someone-elses-lease")
    assert not allows(rules, "coordination.k8s.io", "leases", "create", "default", None)


def test_rbac_check_notices_a_missing_verb():
    rules = [({"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list"]}, None),
             ({"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["get"],
               "resourceNames": ["cloud-controller-manager"]}, "kube-system")]
    assert allows(rules, "", "nodes", "list", None, None)
    assert not allows(rules, "", "nodes", "delete", None, None)
    assert not allows(rules, "", "nodes/status", "get", None, None)
    assert allows(rules, "coordination.k8s.io", "leases", "get", "kube-system", "cloud-controller-manager")
    assert not allows(rules, "coordination.k8s.io", "leases", "get", "kube-system", "other")
    assert not allows(rules, "coordination.k8s.io", "leases", "get", "default", "cloud-controller-manager")


@needs_kubectl
@pytest.mark.parametrize("path", OVERLAYS)
def test_node_plugin_has_no_api_access(path):
    objects = render(path)
    node = find(objects, "DaemonSet", "mooring-csi-node")
    account = pod_spec(node)["serviceAccountName"]
    assert pod_spec(node)["automountServiceAccountToken"] is False
    assert find(objects, "ServiceAccount", account)["automountServiceAccountToken"] is False
    assert not bound_rules(objects, account, node["metadata"]["namespace"])


# ---------------------------------------------------------------------------------------------
# Images: what the node image must carry

# Which Debian bookworm package ships each program the node plugin runs (dpkg -S on bookworm).
TOOL_PACKAGES = {
    "blkid": "util-linux", "blockdev": "util-linux", "mount": "mount", "umount": "mount",
    "mkfs.ext4": "e2fsprogs", "resize2fs": "e2fsprogs", "e2fsck": "e2fsprogs", "dumpe2fs": "e2fsprogs",
    "mkfs.xfs": "xfsprogs", "xfs_growfs": "xfsprogs", "xfs_info": "xfsprogs", "cryptsetup": "cryptsetup-bin",
}


def stage_packages(stage: str) -> set:
    """Packages `apt-get install`ed in a Containerfile stage and the stages it builds on."""
    text = (REPO / "Containerfile").read_text()
    stages = {name: (base, body) for base, name, body in
              re.findall(r"^FROM (\S+) AS (\S+)\n(.*?)(?=^FROM |\Z)", text, re.M | re.S)}
    base, body = stages[stage]
    packages = set()
    for install in re.findall(r"apt-get install ([^&]*)", body):
        packages |= {w for w in install.replace("\\", " ").split() if not w.startswith("-")}
    return packages | (stage_packages(base) if base in stages else set())


def test_node_image_installs_every_tool_the_node_plugin_runs():
    check = source("Sources/CSINode/NodeToolsCheck.swift")
    required = set(re.findall(r'"([\w.]+)"', re.search(r"required = \[([^]]*)\]", check).group(1)))
    assert required, "NodeToolsCheck.required not found"
    required.add("cryptsetup")  # encrypted volumes (LinuxVolumeEncryption)
    unknown = required - set(TOOL_PACKAGES)
    assert not unknown, f"no package known for {sorted(unknown)}: add them to TOOL_PACKAGES"
    missing = {TOOL_PACKAGES[t] for t in required} - stage_packages("csi-node")
    assert not missing, f"the csi-node image lacks {sorted(missing)}"


# Which Debian package gives each shared library a release binary may load. glibc (libc6) and
# libgcc_s (libgcc-s1) are in every Debian base image.
SONAME_PACKAGES = {
    "libc.so.6": "libc6", "libm.so.6": "libc6", "ld-linux-x86-64.so.2": "libc6",
    "libgcc_s.so.1": "libgcc-s1", "libstdc++.so.6": "libstdc++6", "libz.so.1": "zlib1g",
    "libsqlite3.so.0": "libsqlite3-0",
}
BASE_IMAGE_PACKAGES = {"libc6", "libgcc-s1"}


def test_runtime_images_carry_the_shared_libraries_the_binaries_link():
    # The release binaries' readelf -d (checked against the built binaries below, where they exist):
    # libstdc++.so.6 and libz.so.1 (the CCM, localcloud), libsqlite3.so.0 (localcloud); the CSI
    # plugins link gRPC core, protobuf-c, libstdc++ and zlib statically.
    runtime = stage_packages("runtime")
    assert {"libstdc++6", "zlib1g", "libsqlite3-0", "ca-certificates"} <= runtime
    unused = {"libgrpc29", "libprotobuf-c1"} & runtime
    assert not unused, f"the runtime image installs {sorted(unused)}, which no release binary loads"
    assert "swift" not in " ".join(runtime), "the runtime needs no Swift runtime (static stdlib)"


def test_release_binaries_load_only_what_their_images_install():
    bin_dir = REPO / ".build-release" / "x86_64-unknown-linux-gnu" / "release"
    images = {"csi-controller": "csi-controller", "csi-node": "csi-node",
              "cloud-controller-manager": "cloud-controller-manager", "localcloud": "localcloud"}
    built = [name for name in images if (bin_dir / name).exists()]
    if not built or not shutil.which("readelf"):
        pytest.skip(f"no release binaries in {bin_dir} (hack/release/build-release.sh makes them; "
                    "CI builds them after this step) or no readelf: the Containerfile's package list is "
                    "checked by the test above only")
    for name in built:
        dynamic = subprocess.run(["readelf", "-d", str(bin_dir / name)], capture_output=True, text=True, check=True).stdout
        needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^]]+)\]", dynamic)
        assert needed, f"readelf found no NEEDED entries in {name}"
        unknown = [lib for lib in needed if lib not in SONAME_PACKAGES]
        assert not unknown, f"{name} loads {unknown}, which no image installs (add the package to the runtime stage)"
        missing = {SONAME_PACKAGES[lib] for lib in needed} - stage_packages(images[name]) - BASE_IMAGE_PACKAGES
        assert not missing, f"the {images[name]} image lacks {sorted(missing)}, which {name} loads"


# ---------------------------------------------------------------------------------------------
# Topology: WaitForFirstConsumer classes work only when the key the node plugin reports in
# NodeGetInfo (which external-provisioner turns into the volume's accessibility requirements) is
# the key the controller reads the region from.

CSI_SOURCES = ["CSIDriver", "CSIController", "CSINode", "csi-controller", "csi-node"]


def topology_keys() -> dict:
    """Every region topology key the CSI driver's sources declare → the files declaring it."""
    keys: dict = {}
    for path in (p for d in CSI_SOURCES for p in (REPO / "Sources" / d).rglob("*.swift")):
        for key in re.findall(r'"(topology\.[a-z0-9.-]+/region)"', path.read_text()):
            keys.setdefault(key, set()).add(str(path.relative_to(REPO)))
    return keys


def test_controller_and_node_agree_on_the_region_topology_key():
    keys = topology_keys()
    assert len(keys) <= 1, "controller and node plugin use different region topology keys, so " \
        f"provisioning with topology fails: {keys}"


# ---------------------------------------------------------------------------------------------
# Sidecar flags: those each pinned release defines (its cmd/*/main.go and csi-lib-utils'
# standardflags at the tag in SIDECAR_RULES; `v` is klog's), so a typo fails here rather than in
# a crash-looping container.
STANDARD_FLAGS = {"version", "kubeconfig", "csi-address", "leader-election", "leader-election-namespace",
                  "leader-election-lease-duration", "leader-election-renew-deadline", "leader-election-retry-period",
                  "leader-election-labels", "kube-api-qps", "kube-api-burst", "http-endpoint", "metrics-address",
                  "metrics-path", "automaxprocs", "v"}
SIDECAR_FLAGS = {
    "csi-provisioner": STANDARD_FLAGS | {
        "capacity-for-immediate-binding", "capacity-ownerref-level", "capacity-poll-interval", "capacity-threads",
        "cloning-protection-threads", "controller-publish-readonly", "default-fstype", "enable-capacity",
        "enable-pprof", "extra-create-metadata", "feature-gates", "immediate-topology", "kube-api-capacity-burst",
        "node-deployment", "node-deployment-base-delay", "node-deployment-immediate-binding",
        "node-deployment-max-delay", "prevent-volume-mode-conversion", "retry-interval-max", "retry-interval-start",
        "snapshot-orphan-sweep-interval", "strict-topology", "timeout", "volume-name-prefix",
        "volume-name-uuid-length", "worker-threads"},
    "csi-attacher": STANDARD_FLAGS | {
        "default-fstype", "feature-gates", "max-entries", "max-grpc-log-length", "reconcile-sync", "resync",
        "retry-interval-max", "retry-interval-start", "timeout", "worker-threads"},
    "csi-resizer": STANDARD_FLAGS | {
        "extra-modify-metadata", "feature-gates", "handle-volume-inuse-error", "resync-period", "retry-interval-max",
        "retry-interval-start", "timeout", "workers"},
    "csi-snapshotter": STANDARD_FLAGS | {
        "extra-create-metadata", "feature-gates", "groupsnapshot-name-prefix", "groupsnapshot-name-uuid-length",
        "node-deployment", "resync-period", "retry-interval-max", "retry-interval-start", "snapshot-name-prefix",
        "snapshot-name-uuid-length", "timeout", "worker-threads"},
    "csi-node-driver-registrar": {"connection-timeout", "csi-address", "enable-pprof", "health-port", "http-endpoint",
                                  "kubelet-registration-path", "mode", "plugin-registration-path", "timeout",
                                  "version", "v"},
    "livenessprobe": {"csi-address", "health-port", "http-endpoint", "metrics-address", "metrics-path",
                      "probe-timeout", "automaxprocs", "v"},
}


@needs_kubectl
@pytest.mark.parametrize("path", OVERLAYS)
def test_sidecars_use_only_flags_their_release_defines(path):
    problems = []
    for o in render(path):
        for c in containers(o):
            sidecar = c["image"].rsplit("/", 1)[-1].split(":")[0]
            if "sig-storage" not in c["image"]:
                continue
            unknown = set(flags(c.get("args", []))) - SIDECAR_FLAGS[sidecar]
            if unknown:
                problems.append(f"{o['metadata']['name']}/{c['name']}: {sidecar} has no flag {sorted(unknown)}")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------------------------
# The local overlay under a real kubelet (--cloud-provider=external --node-ip=<the node's IP>):
# the node's instance must carry the node's IP and be labelled with the node's name, and nothing
# may wait for an object the user has to make by hand.

def referenced_objects(objects: list) -> set:
    """(kind, name) of every ConfigMap and Secret a pod template reads (env, envFrom, volumes)."""
    refs = set()
    for o in objects:
        spec = pod_spec(o)
        if spec is None:
            continue
        for c in containers(o):
            for e in c.get("env", []):
                source = e.get("valueFrom", {})
                if "configMapKeyRef" in source:
                    refs.add(("ConfigMap", source["configMapKeyRef"]["name"]))
                if "secretKeyRef" in source:
                    refs.add(("Secret", source["secretKeyRef"]["name"]))
            for e in c.get("envFrom", []):
                if "configMapRef" in e:
                    refs.add(("ConfigMap", e["configMapRef"]["name"]))
                if "secretRef" in e:
                    refs.add(("Secret", e["secretRef"]["name"]))
        for v in spec.get("volumes", []):
            if "configMap" in v:
                refs.add(("ConfigMap", v["configMap"]["name"]))
            if "secret" in v:
                refs.add(("Secret", v["secret"]["secretName"]))
    return refs


@needs_kubectl
@pytest.mark.parametrize("path", OVERLAYS)
def test_pods_need_only_the_documented_api_key_secret(path):
    """Everything a pod reads is in the overlay, except the API key Secret the docs tell the user
    to create. (The local overlay once read a ConfigMap the user had to make after registering
    the node by hand; until then csi-node never started and node-driver-registrar, whose liveness
    endpoint comes up only once the plugin answers, was killed over and over.)"""
    objects = render(path)
    shipped = {(o["kind"], o["metadata"]["name"]) for o in objects}
    needed = referenced_objects(objects) - shipped
    assert needed == {("Secret", "mooring-api-key")}, needed
    documented = source("docs/deploy.md")
    assert "create secret generic mooring-api-key" in documented
    assert "configmap mooring-local" not in documented


def test_reference_finder_sees_config_maps():
    pod = {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [
        {"name": "c", "env": [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "hand-made", "key": "k"}}}]}]}}
    assert referenced_objects([pod]) == {("ConfigMap", "hand-made")}


def local_node_pod() -> dict:
    return pod_spec(find(render("overlays/local"), "DaemonSet", "mooring-csi-node"))


@needs_kubectl
def test_local_node_plugin_reads_its_identity_from_the_local_cloud():
    objects = render("overlays/local")
    cloud = containers(find(objects, "Deployment", "mooring-localcloud"))[0]
    port = flags(cloud["args"])["listen"][0].rsplit(":", 1)[1]
    spec = local_node_pod()
    node = next(c for c in spec["containers"] if c["name"] == "csi-node")
    given = flags(node["args"])
    assert given["metadata-url"] == [f"http://$(HOST_IP):{port}/v1.json"]
    assert "node-id" not in given and "region" not in given
    env = {e["name"]: e for e in node["env"]}
    assert env["HOST_IP"]["valueFrom"]["fieldRef"]["fieldPath"] == "status.hostIP"
    # The disks localcloud attaches are links under its device directory, mounted into csi-node.
    mounts = {m["mountPath"] for m in node["volumeMounts"]}
    assert given["device-dir"][0] in mounts
    assert flags(cloud["args"])["device-dir"] == given["device-dir"]


@needs_kubectl
def test_local_node_is_registered_with_its_name_and_ip_before_csi_node_starts():
    objects = render("overlays/local")
    spec = local_node_pod()
    init = {c["name"]: c for c in spec.get("initContainers", [])}
    assert list(init) == ["register-node"]
    register = init["register-node"]
    assert mooring_executable(register["image"]) == "localcloud", "runs from the localcloud image, which has curl"
    assert "curl" in stage_packages("localcloud")
    env = {e["name"]: e["valueFrom"] for e in register["env"]}
    assert env["HOST_IP"] == {"fieldRef": {"fieldPath": "status.hostIP"}}
    assert env["NODE_NAME"] == {"fieldRef": {"fieldPath": "spec.nodeName"}}
    assert env["API_KEY"] == {"secretKeyRef": {"name": "mooring-api-key", "key": "api-key"}}
    script = register["command"][-1]
    cloud = containers(find(objects, "Deployment", "mooring-localcloud"))[0]
    port = flags(cloud["args"])["listen"][0].rsplit(":", 1)[1]
    assert f'api="http://$HOST_IP:{port}"' in script
    assert '\\"internal_ip\\":\\"$HOST_IP\\"' in script and '\\"label\\":\\"$NODE_NAME\\"' in script
    regions = flags(cloud["args"])["regions"][0].split(",")
    assert '\\"region\\":\\"lcl\\"' in script and "lcl" in regions



needs_root_and_curl = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("curl") is None or shutil.which("unshare") is None,
    reason="needs root (a private network namespace, so port 8090 is free), curl and unshare")


@needs_kubectl
@needs_root_and_curl
def test_register_node_script_against_a_real_local_cloud(bin_dir, tmp_path):
    """The init container's script, run by sh against the real localcloud in a network namespace
    of its own (the node's IP is 127.0.0.1 there): it registers the node once with its name and
    IP, so the metadata document answers requests from that IP; a second run changes nothing; an
    instance with the node's name but another address is refused with a reason."""
    script = next(c for c in local_node_pod()["initContainers"] if c["name"] == "register-node")["command"][-1]
    (tmp_path / "register.sh").write_text(script)
    driver = tmp_path / "driver.sh"
    driver.write_text(f"""
set -u
ip link set lo up
export LOCALCLOUD_API_KEY=k-1
{bin_dir}/localcloud --listen 127.0.0.1:8090 --data-dir {tmp_path}/cloud --regions lcl --rate-limit 0 \\
  --pending-ms 0 --no-lb-data-plane >{tmp_path}/localcloud.log 2>&1 &
cloud=$!
run() {{ HOST_IP=127.0.0.1 NODE_NAME=$1 API_KEY=k-1 timeout 30 sh {tmp_path}/register.sh; echo "rc=$?"; }}
echo "== first"; run node-a
echo "== second"; run node-a
echo "== list"; curl -fsS -H 'Authorization: Bearer k-1' http://127.0.0.1:8090/v2/instances; echo
# Another node name, but the address is taken by node-a's instance: the metadata answers for
# node-a, so nothing is registered (a one-node overlay); then with node-a's record renamed away.
echo "== conflict"
curl -fsS -o /dev/null -H 'Authorization: Bearer k-1' -H 'Content-Type: application/json' \\
  -d '{{"region":"lcl","plan":"vc2-1c-1gb","label":"node-b","hostname":"node-b"}}' http://127.0.0.1:8090/v2/instances
id=$(curl -fsS -H 'Authorization: Bearer k-1' http://127.0.0.1:8090/v2/instances \
  | python3 -c 'import json,sys; print(next(i["id"] for i in json.load(sys.stdin)["instances"] if i["label"] == "node-a"))')
curl -fsS -X DELETE -H 'Authorization: Bearer k-1' http://127.0.0.1:8090/v2/instances/$id
run node-b
kill $cloud; wait $cloud
""")
    out = subprocess.run(["unshare", "--net", "sh", "-c", f"sh {driver} 2>&1"], capture_output=True, text=True,
                         timeout=120)
    text = out.stdout
    parts = dict(re.findall(r"== (\w+)\n(.*?)(?=\n== |\Z)", text, re.S))
    assert "registering node node-a (127.0.0.1)" in parts["first"] and parts["first"].rstrip().endswith("rc=0"), text
    assert '"instance-v2-id"' in parts["first"], text  # the metadata document answered
    assert "registering" not in parts["second"] and parts["second"].rstrip().endswith("rc=0"), text
    listed = json.loads(parts["list"].strip().splitlines()[-1])["instances"]
    assert [(i["label"], i["internal_ip"]) for i in listed] == [("node-a", "127.0.0.1")], listed
    assert "labelled node-b, but none with address 127.0.0.1" in parts["conflict"], text
    assert parts["conflict"].rstrip().endswith("rc=1"), text
