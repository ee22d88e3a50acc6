"""Every executable answers --version with the release version, and the container images build
without a registry (hack/release/build-images.sh --offline: a debootstrapped bookworm base, podman with
runc, the host's release binaries) under the names and tags the manifests use, each running its
binary as the image's user.

The image test needs root, podman, runc and debootstrap (hack/install-deps.sh installs them) and
a reachable Debian mirror; it builds the release binaries if they are not built yet. Set
MOORING_SKIP_IMAGES=1 to skip it (it says so).
"""
import os
import pathlib
import re
import shutil
import subprocess
import time

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
EXECUTABLES = ["csi-controller", "csi-node", "cloud-controller-manager", "localcloud"]
# The user each image runs its binary as: the controller-side programs as the non-root user the
# manifests' securityContext names; localcloud and csi-node as root (loop devices, mounts).
IMAGE_USERS = {"csi-controller": "65532:65532", "cloud-controller-manager": "65532:65532",
               "localcloud": "", "csi-node": ""}


def release_version() -> str:
    return re.search(r'string = "([^"]+)"', (REPO / "Sources/Telemetry/MooringVersion.swift").read_text()).group(1)


@pytest.mark.parametrize("executable", EXECUTABLES)
def test_every_executable_answers_version(bin_dir, executable):
    out = subprocess.run([str(bin_dir / executable), "--version"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == release_version()


@pytest.mark.parametrize("executable", EXECUTABLES)
def test_an_unknown_flag_still_fails(bin_dir, executable):
    out = subprocess.run([str(bin_dir / executable), "--versoin"], capture_output=True, text=True, timeout=30)
    assert out.returncode != 0
    assert release_version() not in out.stdout
    assert "Error:" in out.stderr


def manifest_images() -> set:
    """Mooring image references in the base manifests and the local overlay's own files."""
    images = set()
    for path in (REPO / "deploy" / "kubernetes").rglob("*.yaml"):
        images |= set(re.findall(r"image: (ghcr\.io/mooring-dev/\S+)", path.read_text()))
    return images


offline_images = pytest.mark.skipif(
    os.environ.get("MOORING_SKIP_IMAGES") == "1" or os.geteuid() != 0
    or not all(shutil.which(t) for t in ("podman", "runc", "debootstrap")),
    reason="MOORING_SKIP_IMAGES=1, or not root, or podman/runc/debootstrap missing (hack/install-deps.sh installs them)")


@offline_images
def test_images_build_offline_and_run_each_binary_as_the_image_user():
    started = time.monotonic()
    build = subprocess.run([str(REPO / "hack" / "release" / "build-images.sh"), "--offline"], cwd=REPO,
                           capture_output=True, text=True, timeout=3600)
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-4000:]
    print(f"hack/release/build-images.sh --offline took {time.monotonic() - started:.0f} s")
    version = release_version()
    built = {f"ghcr.io/mooring-dev/{name}:{version}" for name in EXECUTABLES}
    assert manifest_images() == built, "the manifests name other images than those built"
    podman = ["podman", "--runtime", "runc"]
    # Explicit limits: runc cannot raise them past this sandbox's own (rlimit NOFILE refused).
    run_in = podman + ["run", "--rm", "--network", "none", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]
    for name in EXECUTABLES:
        image = f"ghcr.io/mooring-dev/{name}:{version}"
        user = subprocess.run(podman + ["image", "inspect", "--format", "{{.Config.User}}", image],
                              capture_output=True, text=True, check=True).stdout.strip()
        assert user == IMAGE_USERS[name], f"{image} runs as {user!r}"
        run = subprocess.run(run_in + [image, "--version"],
                             capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, f"{image}: {run.stderr}"
        assert run.stdout.strip() == version, f"{image}: {run.stdout!r}"
        uid = subprocess.run(run_in + ["--entrypoint", "id", image, "-u"],
                             capture_output=True, text=True, timeout=120).stdout.strip()
        assert uid == (IMAGE_USERS[name].split(":")[0] or "0"), f"{image} runs as uid {uid}"
    # What the images must carry beyond the binary: the node plugin's tools, localcloud's curl
    # (the local overlay's register-node init container) and losetup.
    tools = {"csi-node": ["mkfs.ext4", "mkfs.xfs", "resize2fs", "xfs_growfs", "blkid", "blockdev", "cryptsetup",
                          "mount", "umount"],
             "localcloud": ["curl", "losetup", "truncate"]}
    for name, programs in tools.items():
        image = f"ghcr.io/mooring-dev/{name}:{version}"
        found = subprocess.run(run_in + ["--entrypoint", "sh", image, "-c",
                                         " ".join(f"command -v {p} >/dev/null || echo missing {p};" for p in programs)],
                               capture_output=True, text=True, timeout=120)
        assert found.returncode == 0 and not found.stdout.strip(), f"{image}: {found.stdout}{found.stderr}"
