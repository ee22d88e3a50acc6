"""Older kubernetes-csi sidecars against the real csi-controller: external-provisioner v5.2.0
(csi-lib-utils v0.20.0, CSI 1.11) panics on a controller capability its CSI copy lacks, so
csi-controller lists GET_SNAPSHOT only with --advertise-get-snapshot.

The sidecars are third-party binaries the project does not build: put them in a directory and
name it with MOORING_SIDECAR_BIN (csi-provisioner and/or csi-attacher, any release; docs/e2e.md
says how they were built). Without it these tests are skipped and say so.
"""
import os
import pathlib
import subprocess
import time

import pytest

from mooring_procs import LocalCloud, Served

KEY = "sidecar-compat-key-71c0"
SIDECARS = pathlib.Path(os.environ.get("MOORING_SIDECAR_BIN", "/nonexistent"))
# What each sidecar logs once it has read the controller capabilities and moved on.
PAST_CAPABILITIES = {
    "csi-provisioner": "CSI driver supports PUBLISH_UNPUBLISH_VOLUME, watching VolumeAttachments",
    "csi-attacher": "CSI driver supports ControllerPublishUnpublish, using real CSI handler",
}


def sidecar(name: str) -> pathlib.Path:
    path = SIDECARS / name
    if not os.access(path, os.X_OK):
        pytest.skip(f"no {name} binary: set MOORING_SIDECAR_BIN to a directory holding kubernetes-csi sidecars")
    return path


def version_of(binary: pathlib.Path) -> str:
    return subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30).stdout.strip()


def start_sidecar(binary: pathlib.Path, bin_dir, tmp_path, *flags: str) -> str:
    """Runs csi-controller (with FLAGS) on a local cloud and BINARY against its socket until BINARY
    has read the capabilities or died; returns BINARY's output."""
    cloud = LocalCloud(bin_dir, tmp_path, KEY)
    sock = tmp_path / "csi.sock"
    controller = Served([str(bin_dir / "csi-controller"), "--endpoint", f"unix://{sock}", "--api-url", cloud.url,
                         "--region", "ewr", *flags], sock, tmp_path / "controller.log",
                        env={"VULTR_API_KEY": KEY}).wait_ready()
    # A kubeconfig for an API server that is not there: the sidecars talk to the CSI socket first.
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:1'}\n"
                          "users:\n- name: u\n  user: {token: t}\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\n"
                          "current-context: c\n")
    log = tmp_path / f"{binary.name}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(binary), f"--csi-address={sock}", f"--kubeconfig={kubeconfig}", "--v=2"],
                                stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        try:
            while proc.poll() is None and time.monotonic() < deadline:
                if PAST_CAPABILITIES[binary.name] in log.read_text(errors="replace"):
                    break
                time.sleep(0.1)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            assert controller.terminate() == 0
            cloud.stop()
    return log.read_text(errors="replace")


@pytest.mark.parametrize("name", ["csi-provisioner", "csi-attacher"])
def test_sidecar_starts_against_the_default_capabilities(name, bin_dir, tmp_path):
    binary = sidecar(name)
    output = start_sidecar(binary, bin_dir, tmp_path)
    assert "panic" not in output, f"{version_of(binary)}:\n{output}"
    assert PAST_CAPABILITIES[name] in output, f"{version_of(binary)}:\n{output}"


def test_provisioner_5_2_panics_when_get_snapshot_is_advertised(bin_dir, tmp_path):
    """Why the default leaves GET_SNAPSHOT out: the same provisioner, with it listed."""
    binary = sidecar("csi-provisioner")
    if "v5.2." not in version_of(binary):
        pytest.skip(f"{version_of(binary)} is not external-provisioner v5.2.x (the release with csi-lib-utils v0.20.0)")
    output = start_sidecar(binary, bin_dir, tmp_path, "--advertise-get-snapshot")
    assert "panic: runtime error: invalid memory address or nil pointer dereference" in output, output
    assert "protosanitizer" in output, output
    assert PAST_CAPABILITIES["csi-provisioner"] not in output


def test_attacher_from_4_8_1_survives_get_snapshot(bin_dir, tmp_path):
    """external-attacher v4.8.1 vendors csi-lib-utils v0.21.0, whose sanitizer checks for an
    unknown enum value: it starts even when GET_SNAPSHOT is listed (deploy.md's matrix)."""
    binary = sidecar("csi-attacher")
    if "v4.8.0" in version_of(binary):
        pytest.skip("external-attacher v4.8.0 vendors csi-lib-utils v0.20.0")
    output = start_sidecar(binary, bin_dir, tmp_path, "--advertise-get-snapshot")
    assert "panic" not in output, output
    assert PAST_CAPABILITIES["csi-attacher"] in output, output
