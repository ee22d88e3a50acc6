#!/usr/bin/env python3
"""Soak: many volume lifecycles, concurrently, through the real csi-controller and csi-node on a
local cloud that fails on purpose — while the programs are killed with SIGKILL and restarted at
random moments. At the end nothing may be left over or duplicated, and no byte written may be
lost.

Each lifecycle is what the sidecars and kubelet do for one PVC:
  CreateVolume → ControllerPublish → NodeStage → NodePublish → write → ControllerExpand +
  NodeExpand → NodeUnpublish → NodeUnstage → NodeStage → NodePublish → read back → CreateSnapshot
  → NodeUnpublish → NodeUnstage → ControllerUnpublish → [every Nth: CreateVolume from the snapshot
  → attach, stage, read back, detach, DeleteVolume] → DeleteSnapshot → DeleteVolume
Every call is retried the way the sidecars retry (any error but INVALID_ARGUMENT and
ALREADY_EXISTS, with backoff), so faults and restarts must end in convergence, not in failure.

Checked at the end, against the cloud API and the machine:
  - every lifecycle converged (no step gave up);
  - every name mapped to one volume id (no duplicate from a retried or lost create);
  - no volume and no snapshot is left in the cloud;
  - nothing is mounted under the work directory and no loop device backs a file in it;
  - every read-back matched what was written (including through a snapshot restore).

    hack/soak/soak [--volumes N] [--concurrency C] [--faults SPEC] [--kill-every MIN-MAX] [--keep]

Needs root (loop devices, mounts) and built binaries (MOORING_BIN_DIR, default `swift build
--show-bin-path`). CI runs a short version from hack/test.sh; docs/reliability.md has the long one and its figures.
"""
import argparse
import collections
import hashlib
import os
import pathlib
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "dev"))  # csi_stubs
from csi_stubs import compile_csi_stubs  # noqa: E402
from soak_common import CloudClient, Program, free_port, log, parse_range, unix_accepts  # noqa: E402

GiB = 1 << 30
KEY = "soak-key-5d1c"


class StepFailed(Exception):
    pass


class Soak:
    def __init__(self, args, bin_dir, work):
        import grpc
        self.grpc = grpc
        self.args, self.bin_dir, self.work = args, bin_dir, work
        (work / "stubs").mkdir()
        self.pb, pb_grpc = compile_csi_stubs(work / "stubs")
        self.errors = collections.Counter()
        self.ids_by_name = collections.defaultdict(set)
        self.names_lock = threading.Lock()
        self.verified_reads = 0
        self.stop_killing = threading.Event()

        port = free_port()
        dev = work / "dev"
        self.cloud = CloudClient(f"http://127.0.0.1:{port}", KEY)
        self.localcloud = Program("localcloud", [
            str(bin_dir / "localcloud"), "--listen", f"127.0.0.1:{port}", "--data-dir", str(work / "cloud"),
            "--real-devices", "--device-dir", str(dev), "--pending-ms", "200", "--faults", args.faults],
            work, env={"LOCALCLOUD_API_KEY": KEY}, ready=self.cloud.ok)
        self.localcloud.start()
        self.instance = self.cloud.call("POST", "/v2/instances", {
            "region": "ewr", "plan": "vc2-1c-1gb", "label": "soak-node"})["instance"]["id"]
        self.controller_sock, self.node_sock = work / "controller.sock", work / "node.sock"
        self.controller = Program("csi-controller", [
            str(bin_dir / "csi-controller"), "--endpoint", f"unix://{self.controller_sock}",
            "--api-url", self.cloud.url, "--region", "ewr"], work, env={"VULTR_API_KEY": KEY},
            ready=lambda: unix_accepts(self.controller_sock))
        self.node = Program("csi-node", [
            str(bin_dir / "csi-node"), "--endpoint", f"unix://{self.node_sock}", "--node-id", self.instance,
            "--region", "ewr", "--device-dir", str(dev)], work, ready=lambda: unix_accepts(self.node_sock))
        self.controller.start()
        self.node.start()
        self.programs = [self.localcloud, self.controller, self.node]
        channel_options = [("grpc.max_reconnect_backoff_ms", 500), ("grpc.initial_reconnect_backoff_ms", 100)]
        self.controller_stub = pb_grpc.ControllerStub(
            grpc.insecure_channel(f"unix://{self.controller_sock}", options=channel_options))
        self.node_stub = pb_grpc.NodeStub(grpc.insecure_channel(f"unix://{self.node_sock}", options=channel_options))

    # -- retried calls ----------------------------------------------------------------------------

    def call(self, stub, method, request, what, give_up_after=240):
        """Calls until success, like a sidecar: backoff on every error but the ones that can never
        succeed by retrying."""
        grpc = self.grpc
        deadline = time.monotonic() + give_up_after
        delay = 0.1
        while True:
            try:
                return getattr(stub, method)(request, timeout=60)
            except grpc.RpcError as error:
                code = error.code()
                self.errors[f"{method} {code.name}"] += 1
                if code in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.ALREADY_EXISTS,
                            grpc.StatusCode.UNIMPLEMENTED):
                    raise StepFailed(f"{what}: {method} answered {code.name}: {error.details()}")
                if time.monotonic() > deadline:
                    raise StepFailed(f"{what}: {method} still failing after {give_up_after}s: "
                                     f"{code.name} {error.details()}")
                time.sleep(delay * random.uniform(0.5, 1.5))
                delay = min(delay * 2, 3)

    def capability(self, fs):
        pb = self.pb
        return pb.VolumeCapability(mount=pb.VolumeCapability.MountVolume(fs_type=fs),
                                   access_mode=pb.VolumeCapability.AccessMode(mode=1))

    def create(self, name, size, fs, snapshot_id=None):
        pb = self.pb
        request = pb.CreateVolumeRequest(name=name, capacity_range=pb.CapacityRange(required_bytes=size),
                                         volume_capabilities=[self.capability(fs)])
        if snapshot_id:
            request.volume_content_source.snapshot.snapshot_id = snapshot_id
        volume = self.call(self.controller_stub, "CreateVolume", request, name).volume
        with self.names_lock:
            self.ids_by_name[name].add(volume.volume_id)
        return volume

    def attach_and_mount(self, volume_id, fs, staging, target, what):
        pb = self.pb
        published = self.call(self.controller_stub, "ControllerPublishVolume", pb.ControllerPublishVolumeRequest(
            volume_id=volume_id, node_id=self.instance, volume_capability=self.capability(fs)), what)
        context = dict(published.publish_context)
        self.mount(volume_id, fs, context, staging, target, what)
        return context

    def mount(self, volume_id, fs, context, staging, target, what):
        pb = self.pb
        self.call(self.node_stub, "NodeStageVolume", pb.NodeStageVolumeRequest(
            volume_id=volume_id, publish_context=context, staging_target_path=str(staging),
            volume_capability=self.capability(fs)), what)
        self.call(self.node_stub, "NodePublishVolume", pb.NodePublishVolumeRequest(
            volume_id=volume_id, publish_context=context, staging_target_path=str(staging),
            target_path=str(target), volume_capability=self.capability(fs)), what)

    def unmount(self, volume_id, staging, target, what):
        pb = self.pb
        self.call(self.node_stub, "NodeUnpublishVolume", pb.NodeUnpublishVolumeRequest(
            volume_id=volume_id, target_path=str(target)), what)
        self.call(self.node_stub, "NodeUnstageVolume", pb.NodeUnstageVolumeRequest(
            volume_id=volume_id, staging_target_path=str(staging)), what)

    def detach(self, volume_id, what):
        self.call(self.controller_stub, "ControllerUnpublishVolume", self.pb.ControllerUnpublishVolumeRequest(
            volume_id=volume_id, node_id=self.instance), what)

    def read_back(self, target, expected, what):
        data = (target / "soak.bin").read_bytes()
        if hashlib.sha256(data).hexdigest() != expected:
            raise StepFailed(f"{what}: data read back differs from what was written")
        self.verified_reads += 1

    # -- one PVC's life ---------------------------------------------------------------------------

    def lifecycle(self, index):
        pb = self.pb
        name = f"soak-{index:04d}"
        fs = "xfs" if index % 3 == 2 else "ext4"
        base = self.work / "kubelet" / name
        staging, target = base / "staging", base / "pod" / "volume"
        volume = self.create(name, GiB, fs)
        vid = volume.volume_id
        context = self.attach_and_mount(vid, fs, staging, target, name)

        payload = os.urandom(256 << 10)
        digest = hashlib.sha256(payload).hexdigest()
        with open(target / "soak.bin", "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())

        self.call(self.controller_stub, "ControllerExpandVolume", pb.ControllerExpandVolumeRequest(
            volume_id=vid, capacity_range=pb.CapacityRange(required_bytes=2 * GiB),
            volume_capability=self.capability(fs)), name)
        self.call(self.node_stub, "NodeExpandVolume", pb.NodeExpandVolumeRequest(
            volume_id=vid, volume_path=str(target), staging_target_path=str(staging),
            capacity_range=pb.CapacityRange(required_bytes=2 * GiB), volume_capability=self.capability(fs)), name)

        self.unmount(vid, staging, target, name)
        self.mount(vid, fs, context, staging, target, name)
        self.read_back(target, digest, name)
        size = os.statvfs(target)
        if size.f_blocks * size.f_frsize < 1.5 * GiB:
            raise StepFailed(f"{name}: filesystem not grown to 2 GiB after re-stage")

        snapshot = self.call(self.controller_stub, "CreateSnapshot", pb.CreateSnapshotRequest(
            source_volume_id=vid, name=f"{name}-snap"), name).snapshot
        while not snapshot.ready_to_use:
            time.sleep(0.3)
            snapshot = self.call(self.controller_stub, "CreateSnapshot", pb.CreateSnapshotRequest(
                source_volume_id=vid, name=f"{name}-snap"), name).snapshot
        self.unmount(vid, staging, target, name)
        self.detach(vid, name)

        if index % self.args.restore_every == 0:
            restored = self.create(f"{name}-restore", 2 * GiB, fs, snapshot_id=snapshot.snapshot_id)
            rid = restored.volume_id
            rstaging, rtarget = base / "restore-staging", base / "pod" / "restored"
            self.attach_and_mount(rid, fs, rstaging, rtarget, f"{name}-restore")
            self.read_back(rtarget, digest, f"{name}-restore")
            self.unmount(rid, rstaging, rtarget, f"{name}-restore")
            self.detach(rid, f"{name}-restore")
            self.call(self.controller_stub, "DeleteVolume", pb.DeleteVolumeRequest(volume_id=rid), name)

        self.call(self.controller_stub, "DeleteSnapshot", pb.DeleteSnapshotRequest(
            snapshot_id=snapshot.snapshot_id), name)
        self.call(self.controller_stub, "DeleteVolume", pb.DeleteVolumeRequest(volume_id=vid), name)
        shutil.rmtree(base, ignore_errors=True)

    # -- chaos ------------------------------------------------------------------------------------

    def killer(self):
        low, high = self.args.kill_every
        while not self.stop_killing.wait(random.uniform(low, high)):
            program = random.choice(self.programs)
            log(f"kill -9 {program.name}")
            program.kill_and_restart()

    # -- the run ----------------------------------------------------------------------------------

    def run(self):
        args = self.args
        started = time.monotonic()
        killer = threading.Thread(target=self.killer, daemon=True)
        if args.kill_every[1] > 0:
            killer.start()
        failures = []
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            futures = {pool.submit(self.lifecycle, i): i for i in range(args.volumes)}
            done = 0
            for future in as_completed(futures):
                done += 1
                try:
                    future.result()
                except Exception as error:  # noqa: BLE001 — every failure is reported
                    failures.append(f"lifecycle {futures[future]}: {error}")
                if done % max(1, args.volumes // 10) == 0:
                    log(f"{done}/{args.volumes} lifecycles done")
        self.stop_killing.set()
        if killer.is_alive():
            killer.join()
        elapsed = time.monotonic() - started
        failures += self.final_checks()
        self.report(elapsed, failures)
        return not failures

    def final_checks(self):
        problems = []
        duplicated = {name: ids for name, ids in self.ids_by_name.items() if len(ids) > 1}
        if duplicated:
            problems.append(f"names that got more than one volume: {duplicated}")
        volumes = self.cloud.call("GET", "/v2/blocks?per_page=500")["blocks"]
        if volumes:
            problems.append(f"{len(volumes)} volume(s) left in the cloud: {[v['id'] for v in volumes]}")
        snapshots = self.cloud.call("GET", "/v2/blocks/snapshots?per_page=500")["snapshots"]
        if snapshots:
            problems.append(f"{len(snapshots)} snapshot(s) left in the cloud: {[s['id'] for s in snapshots]}")
        mounted = [line.split()[4] for line in open("/proc/self/mountinfo")
                   if line.split()[4].startswith(str(self.work) + "/")]
        if mounted:
            problems.append(f"still mounted: {mounted}")
        return problems

    def loop_devices_left(self):
        out = subprocess.run(["losetup", "--list", "--noheadings", "--output", "NAME,BACK-FILE"],
                             capture_output=True, text=True).stdout
        return [line for line in out.splitlines() if str(self.work) in line]

    def report(self, elapsed, failures):
        print()
        print(f"soak: {self.args.volumes} lifecycles, concurrency {self.args.concurrency}, "
              f"faults '{self.args.faults}', {elapsed:.0f} s "
              f"({self.args.volumes / elapsed * 60:.1f} lifecycles/min)")
        print(f"  kills: " + ", ".join(f"{p.name} {p.kills}" for p in self.programs))
        print(f"  reads verified: {self.verified_reads}")
        print(f"  errors seen and retried: {sum(self.errors.values())}")
        for key, count in sorted(self.errors.items(), key=lambda kv: -kv[1])[:15]:
            print(f"    {count:6d}  {key}")
        if failures:
            print("FAILED:")
            for failure in failures:
                print(f"  - {failure}")
        else:
            print("  no leak, no duplicate, no data lost, every lifecycle converged")

    def shutdown(self):
        for program in reversed(self.programs):
            program.stop()
        left = self.loop_devices_left()
        if left:
            print(f"soak: loop devices still backing files of this run after localcloud stopped: {left}")
        return not left


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--volumes", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--faults", default="error_rate=0.1,throttle_rate=0.05,drop_after_commit_rate=0.03")
    parser.add_argument("--kill-every", type=parse_range, default=(5.0, 15.0),
                        help="seconds between kill -9s, MIN-MAX (0 for none)")
    parser.add_argument("--restore-every", type=int, default=4, help="restore a snapshot every Nth lifecycle")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("soak: run as root (loop devices and mounts)")
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    random.seed(seed)
    log(f"seed {seed} (rerun with --seed {seed})")
    bin_dir = pathlib.Path(os.environ.get("MOORING_BIN_DIR") or subprocess.run(
        ["swift", "build", "--show-bin-path"], cwd=HERE.parents[1], capture_output=True, text=True, check=True).stdout.strip())
    work = pathlib.Path(tempfile.mkdtemp(prefix="mooring-soak-"))
    soak = Soak(args, bin_dir, work)
    ok = False
    try:
        ok = soak.run()
    finally:
        ok = soak.shutdown() and ok
        if not args.keep and ok:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"soak: work directory kept: {work}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
