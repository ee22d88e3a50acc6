"""hack/e2e/run.sh and the e2e suite's driver definition (Tests/e2e/mooring-local.yaml).

The real-cluster run needs Kubernetes binaries CI does not have (docs/e2e.md); here: the script
says plainly that it skipped and exits 0 when they are absent, refuses bad usage, and the driver
definition claims exactly what the code offers.
"""
import os
import pathlib
import re
import subprocess

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
RUN = REPO / "hack" / "e2e" / "run.sh"
DRIVER = yaml.safe_load((REPO / "Tests" / "e2e" / "mooring-local.yaml").read_text())
CAPS = DRIVER["DriverInfo"]["Capabilities"]


def run(*args, timeout=60):
    return subprocess.run([str(RUN), *args], capture_output=True, text=True, timeout=timeout)


def test_absent_binaries_skip_plainly(tmp_path):
    out = run("--k8s-bin", str(tmp_path / "nowhere"))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("skipped: no Kubernetes binaries"), out.stdout


def test_missing_binaries_are_named(tmp_path):
    for name in ["kubectl", "kube-apiserver", "kubelet"]:
        (tmp_path / name).write_text("#!/bin/sh\nexit 1\n")
        (tmp_path / name).chmod(0o755)
    out = run("--k8s-bin", str(tmp_path), "--suite")
    assert out.returncode == 0, out.stderr
    line = out.stdout.strip()
    assert line.startswith("skipped: Kubernetes binaries absent"), line
    assert line.split(":", 2)[2].split("(")[0].split() == [
        "kube-controller-manager", "kube-scheduler", "kube-proxy", "e2e.test", "agnhost"], line


def test_usage_errors_exit_2():
    assert run().returncode == 2
    assert run("--bogus").returncode == 2
    nothing = run("--kubeconfig", "/nonexistent/kubeconfig")
    assert nothing.returncode == 2 and "no kubeconfig" in nothing.stderr


# ---------------------------------------------------------------------------------------------
# The driver definition against the code

def source(path: str) -> str:
    return (REPO / path).read_text()


def swift_list(path: str, name: str) -> set:
    body = re.search(rf"{name}[^=]*= \[(.*?)\]", source(path), re.S).group(1)
    return set(re.findall(r"\.(\w+)", body))


CONTROLLER_RPCS = swift_list("Sources/CSIController/ControllerService+Capabilities.swift", "spec111RPCs")
NODE_RPCS = swift_list("Sources/CSINode/NodeService.swift", "capabilities")


def test_driver_name_and_topology_key_are_the_codes():
    assert DRIVER["DriverInfo"]["Name"] == re.search(
        r'defaultName = "([^"]+)"', source("Sources/CSIDriver/DriverIdentity.swift")).group(1)
    key = re.search(r'key = "([^"]+)"', source("Sources/CSIDriver/RegionTopology.swift")).group(1)
    assert DRIVER["DriverInfo"]["TopologyKeys"] == [key]


def test_sizes_and_filesystems_match_the_storage_class():
    classes = {c["metadata"]["name"]: c for c in yaml.safe_load_all(source("deploy/kubernetes/base/storageclasses.yaml"))}
    name = DRIVER["StorageClass"]["FromExistingClassName"]
    assert classes[name]["allowVolumeExpansion"] is True
    block_type = classes[name]["parameters"]["block_type"]
    ranges = {case: (low, high) for case, low, high in
              re.findall(r"case \.(\w+): ([\d_]+)\.\.\.([\d_]+)", source("Sources/CloudAPI/BlockType.swift"))}
    raw = re.search(rf'case (\w+) = "{block_type}"', source("Sources/CloudAPI/BlockType.swift")).group(1)
    low, high = (int(n.replace("_", "")) for n in ranges[raw])
    size = DRIVER["DriverInfo"]["SupportedSizeRange"]
    assert (size["Min"], size["Max"]) == (f"{low}Gi", f"{high}Gi")
    filesystems = set(re.findall(r'"(\w+)"', re.search(r"filesystems: Set<String> = \[(.*?)\]",
                                                      source("Sources/CSIDriver/VolumeCapabilityCheck.swift")).group(1)))
    assert set(DRIVER["DriverInfo"]["SupportedFsType"]) == filesystems | {""}
    snapshot_classes = [c["metadata"]["name"] for c in yaml.safe_load_all(source("deploy/kubernetes/base/volumesnapshotclass.yaml"))]
    assert DRIVER["SnapshotClass"]["FromExistingClassName"] in snapshot_classes


@pytest.mark.parametrize("capability, offered", [
    ("snapshotDataSource", "createDeleteSnapshot" in CONTROLLER_RPCS),
    ("pvcDataSource", "cloneVolume" in CONTROLLER_RPCS),
    ("controllerExpansion", "expandVolume" in CONTROLLER_RPCS),
    ("nodeExpansion", "expandVolume" in NODE_RPCS),
    ("multipods", "stageUnstageVolume" in NODE_RPCS),
    ("readWriteOncePod", "singleNodeMultiWriter" in CONTROLLER_RPCS and "singleNodeMultiWriter" in NODE_RPCS),
    ("volumeMountGroup", "volumeMountGroup" in NODE_RPCS),
    ("capacity", "getCapacity" in CONTROLLER_RPCS),
    ("topology", "volumeAccessibilityConstraints" in source("Sources/CSIDriver/PluginCapabilities.swift")),
    ("onlineExpansion", "onlineExpansion: true" in source("Sources/CSIDriver/PluginCapabilities.swift")),
    # Block storage attaches to one instance: multi-node access modes are refused.
    ("RWX", "needs several nodes" not in source("Sources/CSIDriver/VolumeCapabilityCheck.swift")),
    ("capReadOnlyMany", "needs several nodes" not in source("Sources/CSIDriver/VolumeCapabilityCheck.swift")),
    ("block", "case .block:\n            return nil" in source("Sources/CSIDriver/VolumeCapabilityCheck.swift")),
    ("volumeLimits", "maxVolumesPerNode" in source("Sources/CSINode/NodeService.swift")),
])
def test_each_claim_is_what_the_code_offers(capability, offered):
    assert CAPS.get(capability, False) == offered, f"{capability}: definition says {CAPS.get(capability)}, code {offered}"


def test_every_claim_is_checked():
    listed = {c for c, _ in test_each_claim_is_what_the_code_offers.pytestmark[0].args[1]}
    # Always true for a CSI block driver: persistence, fsGroup, exec, singleNodeVolume,
    # offlineExpansion (defaults), multiplePVsSameID (it never reads PersistentVolumes).
    structural = {"persistence", "fsGroup", "exec", "singleNodeVolume", "offlineExpansion", "multiplePVsSameID"}
    assert set(CAPS) - listed == structural
    assert all(CAPS[c] is True for c in structural)
    for name in ["CSIController", "CSIDriver", "csi-controller", "csi-node"]:
        for path in (REPO / "Sources" / name).rglob("*.swift"):
            assert "PersistentVolume" not in path.read_text(), f"{path} reads PersistentVolumes: multiplePVsSameID"
