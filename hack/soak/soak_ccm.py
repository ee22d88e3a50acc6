#!/usr/bin/env python3
"""Soak of the cloud controller manager: LoadBalancer Service churn through the real
cloud-controller-manager against a local cloud that fails on purpose, with the CCM and the cloud
killed with SIGKILL and restarted at random moments, then a total cloud outage.

Each churn round is what users do to one Service: create it (type LoadBalancer), wait for its
ingress, change its ports, wait for the load balancer to follow, delete it, wait until it is gone.
The Kubernetes API is kube-standin (test support: the in-process stand-in as a process); the
Python `kubernetes` client is the user.

Checked along the way and at the end:
  - every round converged (ingress published, ports followed, Service gone after delete);
  - never two load balancers for one Service (sampled every second, by the UID label);
  - no load balancer left once every Service is deleted;
  - during a total cloud outage (--outage seconds, the localcloud process stopped): no Node is
    deleted (one has lost its instance and is NotReady) and no load balancer disappears; once the
    cloud is back, the Node whose instance is gone is deleted.

    hack/soak/soak-ccm [--services N] [--concurrency C] [--faults SPEC] [--kill-every MIN-MAX] [--outage S]

Uses the debug binaries of this checkout (or MOORING_BIN_DIR): localcloud, kube-standin,
cloud-controller-manager.
"""
import argparse
import collections
import os
import pathlib
import random
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from soak_common import CloudClient, Program, free_port, http_ok, log, parse_range  # noqa: E402

KEY = "soak-ccm-key-44ab"
UNINITIALIZED = "node.cloudprovider.kubernetes.io/uninitialized"


def wait_for(what, predicate, timeout, interval=0.3):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except Exception as error:  # noqa: BLE001 — the cloud or the CCM may be restarting
            last = error
        time.sleep(interval)
    raise TimeoutError(f"{what} (last: {last!r})")


class Soak:
    def __init__(self, args, bin_dir, work):
        from kubernetes import client as kube
        self.kube = kube
        self.args, self.work = args, work
        self.problems = []
        self.rounds_done = 0
        self.max_lbs_per_service = collections.Counter()
        self.stop_sampling = threading.Event()
        self.pause_chaos = threading.Event()

        cloud_port = free_port()
        self.cloud_url = f"http://127.0.0.1:{cloud_port}"
        self.cloud_api = CloudClient(self.cloud_url, KEY)
        self.localcloud = Program("localcloud", [
            str(bin_dir / "localcloud"), "--listen", f"127.0.0.1:{cloud_port}", "--data-dir", str(work / "cloud"),
            "--pending-ms", "300", "--no-lb-data-plane"], work, env={"LOCALCLOUD_API_KEY": KEY},
            ready=lambda: http_ok(self.cloud_url + "/healthz"))
        self.localcloud.start("--faults", args.faults)

        kube_port = free_port()
        kubeconfig = work / "kubeconfig"
        self.standin = Program("kube-standin", [
            str(bin_dir / "kube-standin"), "--port", str(kube_port), "--kubeconfig-out", str(kubeconfig)], work,
            ready=lambda: kubeconfig.exists())
        self.standin.start()
        configuration = kube.Configuration()
        configuration.host = f"http://127.0.0.1:{kube_port}"
        configuration.api_key = {"authorization": "Bearer soak"}
        self.api = kube.CoreV1Api(kube.ApiClient(configuration))

        metrics = free_port()
        self.ccm = Program("cloud-controller-manager", [
            str(bin_dir / "cloud-controller-manager"), "--kubeconfig", str(kubeconfig), "--api-url", self.cloud_url,
            "--cloud-provider", "vultr", "--region", "ewr", "--metrics-address", f"127.0.0.1:{metrics}",
            "--node-monitor-period", "1s", "--lb-resync-period", "5s", "--configure-cloud-routes=false",
            "--leader-elect-lease-duration", "4s", "--leader-elect-renew-deadline", "3s",
            "--leader-elect-retry-period", "1s"], work, env={"VULTR_API_KEY": KEY},
            ready=lambda: http_ok(f"http://127.0.0.1:{metrics}/healthz"))
        self.ccm.start()
        self.instances = {}
        for i in range(args.nodes):
            name = f"node-{i}"
            self.instances[name] = self.cloud("POST", "/v2/instances", {"region": "ewr", "plan": "vc2-1c-1gb",
                                                                        "label": name})["instance"]
            self.register_node(name)
        for name in self.instances:
            wait_for(f"{name} initialized", lambda: self.api.read_node(name).spec.provider_id, 60)

    # -- clients ----------------------------------------------------------------------------------

    def cloud(self, method, path, body=None):
        return self.cloud_api.call(method, path, body, attempts=80)

    def load_balancers(self):
        return self.cloud("GET", "/v2/load-balancers?per_page=500")["load_balancers"]

    @staticmethod
    def condition(ready):
        now = "2026-01-01T00:00:00Z"
        return {"type": "Ready", "status": "True" if ready else "False", "reason": "Kubelet",
                "message": "", "lastHeartbeatTime": now, "lastTransitionTime": now}

    def register_node(self, name):
        self.api.create_node({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name},
                              "spec": {"taints": [{"key": UNINITIALIZED, "value": "true", "effect": "NoSchedule"}]},
                              "status": {"conditions": [self.condition(True)]}})

    def service(self, name):
        try:
            return self.api.read_namespaced_service(name, "default")
        except self.kube.exceptions.ApiException as error:
            if error.status == 404:
                return None
            raise

    # -- one Service's churn ----------------------------------------------------------------------

    def churn(self, index):
        name = f"svc-{index:04d}"
        port = 80 + index % 50
        body = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"},
                "spec": {"type": "LoadBalancer", "selector": {"app": name},
                         "ports": [{"name": "a", "port": port, "targetPort": 8080, "nodePort": 30000 + index % 2000,
                                    "protocol": "TCP"}]}}
        self.api.create_namespaced_service("default", body)

        def ingress():
            s = self.service(name)
            return s and s.status and s.status.load_balancer and s.status.load_balancer.ingress
        wait_for(f"{name} ingress", ingress, self.args.step_timeout)
        uid = self.service(name).metadata.uid
        self.api.patch_namespaced_service(name, "default", {"spec": {"ports": [
            {"name": "a", "port": port, "targetPort": 8080, "nodePort": 30000 + index % 2000, "protocol": "TCP"},
            {"name": "b", "port": 9000, "targetPort": 9090, "nodePort": 32000 + index % 500, "protocol": "TCP"}]}})

        def followed():
            label = ("a" + uid.replace("-", ""))[:32]  # upstream's default LB name
            mine = [lb for lb in self.load_balancers() if lb["label"] == label]
            return mine and len(mine[0]["forwarding_rules"]) == 2
        wait_for(f"{name} ports followed", followed, self.args.step_timeout)
        self.api.delete_namespaced_service(name, "default")
        wait_for(f"{name} gone", lambda: self.service(name) is None, self.args.step_timeout)

    # -- watchers and chaos -----------------------------------------------------------------------

    def sampler(self):
        """Never two load balancers with one Service's UID label."""
        while not self.stop_sampling.wait(1):
            try:
                labels = collections.Counter(lb["label"] for lb in self.load_balancers())
            except Exception:  # noqa: BLE001 — the cloud may be down right now
                continue
            for label, count in labels.items():
                self.max_lbs_per_service[label] = max(self.max_lbs_per_service[label], count)

    def killer(self):
        low, high = self.args.kill_every
        while not self.stop_sampling.wait(random.uniform(low, high)):
            if self.pause_chaos.is_set():
                continue
            program = random.choice([self.ccm, self.localcloud])
            log(f"kill -9 {program.name}")
            program.kill_and_restart(*(["--faults", self.args.faults] if program is self.localcloud else []))

    def outage(self):
        """The cloud gone for --outage seconds while a node's instance is gone and it is NotReady:
        nothing may be deleted; afterwards that node must go."""
        self.pause_chaos.set()
        keep = "svc-outage"
        self.api.create_namespaced_service("default", {
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": keep, "namespace": "default"},
            "spec": {"type": "LoadBalancer", "ports": [{"port": 443, "targetPort": 8443, "nodePort": 31443}]}})
        wait_for("outage Service ingress", lambda: (self.service(keep).status.load_balancer.ingress or None), 120)
        victim = "node-0"
        self.cloud("DELETE", f"/v2/instances/{self.instances[victim]['id']}")
        before = sorted(lb["id"] for lb in self.load_balancers())
        nodes_before = sorted(n.metadata.name for n in self.api.list_node().items)
        log(f"total cloud outage for {self.args.outage:.0f} s ({victim}'s instance deleted just before)")
        self.localcloud.stop()
        self.api.patch_node_status(victim, {"status": {"conditions": [self.condition(False)]}})
        time.sleep(self.args.outage)
        nodes_during = sorted(n.metadata.name for n in self.api.list_node().items)
        if nodes_during != nodes_before:
            self.problems.append(f"nodes deleted during the outage: {set(nodes_before) - set(nodes_during)}")
        self.localcloud.start()  # back, and healthy (no injected faults from here on)
        after = sorted(lb["id"] for lb in self.load_balancers())
        if after != before:
            self.problems.append(f"load balancers changed during the outage: before {before}, after {after}")
        try:
            wait_for(f"{victim} deleted once the cloud is back",
                     lambda: victim not in [n.metadata.name for n in self.api.list_node().items], 60)
        except TimeoutError as error:
            self.problems.append(str(error))
        self.api.delete_namespaced_service(keep, "default")
        wait_for("outage Service gone", lambda: self.service(keep) is None, 120)
        log("outage over: nothing deleted during it, the gone node deleted after")

    def run(self):
        args = self.args
        started = time.monotonic()
        threads = [threading.Thread(target=self.sampler, daemon=True)]
        if args.kill_every[1] > 0:
            threads.append(threading.Thread(target=self.killer, daemon=True))
        for thread in threads:
            thread.start()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            futures = {pool.submit(self.churn, i): i for i in range(args.services)}
            for future in as_completed(futures):
                try:
                    future.result()
                    self.rounds_done += 1
                except Exception as error:  # noqa: BLE001 — every failure is reported
                    self.problems.append(f"service {futures[future]}: {error}")
                if self.rounds_done and self.rounds_done % max(1, args.services // 5) == 0:
                    log(f"{self.rounds_done}/{args.services} Service rounds done")
        if args.outage > 0:
            try:
                self.outage()
            except Exception as error:  # noqa: BLE001
                self.problems.append(f"outage phase: {error}")
        self.stop_sampling.set()
        for thread in threads:
            thread.join()
        left = self.load_balancers()
        if left:
            self.problems.append(f"{len(left)} load balancer(s) left after every Service was deleted")
        duplicated = {label: n for label, n in self.max_lbs_per_service.items() if n > 1}
        if duplicated:
            self.problems.append(f"more than one load balancer for a Service at some point: {duplicated}")
        elapsed = time.monotonic() - started
        print()
        print(f"soak-ccm: {args.services} Service rounds (create, ports changed, delete), concurrency "
              f"{args.concurrency}, {args.nodes} nodes, faults '{args.faults}', {elapsed:.0f} s")
        print(f"  kills: localcloud {self.localcloud.kills}, cloud-controller-manager {self.ccm.kills}")
        print(f"  converged rounds: {self.rounds_done}/{args.services}; outage: {args.outage:.0f} s")
        if self.problems:
            print("FAILED:")
            for problem in self.problems:
                print(f"  - {problem}")
            return False
        print("  no load balancer leaked or duplicated, nothing deleted during the outage")
        return True

    def shutdown(self):
        for program in (self.ccm, self.standin, self.localcloud):
            program.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--nodes", type=int, default=5)
    parser.add_argument("--faults", default="error_rate=0.1,throttle_rate=0.05,drop_after_commit_rate=0.03")
    parser.add_argument("--kill-every", type=parse_range, default=(5.0, 15.0))
    parser.add_argument("--outage", type=float, default=60.0, help="seconds of total cloud outage at the end (0: none)")
    parser.add_argument("--step-timeout", type=float, default=180.0)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    random.seed(seed)
    log(f"seed {seed}")
    bin_dir = pathlib.Path(os.environ["MOORING_BIN_DIR"])
    work = pathlib.Path(tempfile.mkdtemp(prefix="mooring-soak-ccm-"))
    soak = Soak(args, bin_dir, work)
    ok = False
    try:
        ok = soak.run()
    finally:
        soak.shutdown()
        if ok and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"soak-ccm: work directory kept: {work}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
