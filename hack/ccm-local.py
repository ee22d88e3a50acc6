#!/usr/bin/env python3
"""Helper of hack/run-local.sh for the cloud controller manager step, using the cluster named by
KUBECONFIG (Python kubernetes client) and the local cloud (API and KEY in the environment).

    ccm-local.py register   one local-cloud instance per cluster Node (label = node name)
    ccm-local.py show       waits (up to 60 s) for Nodes waiting on a cloud provider to be
                            initialized, then prints every Node's provider ID and region
"""
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


if __name__ == "__main__":
    sys.exit({"register": register, "show": show}[sys.argv[1]]())
