"""localcloud driven by an independent HTTP client (requests): auth, every endpoint, bad bodies,
unknown ids, pagination, restart with state kept, faults, the rate limit, and (as root) real
loop devices appearing and disappearing on attach/detach."""
import http.client
import json
import os
import pathlib
import signal
import socket
import subprocess
import time

import pytest
import requests

KEY = "interop-key-5f2c9e"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cloud:
    """One localcloud process on 127.0.0.1 with its own data directory."""

    def __init__(self, binary: pathlib.Path, data_dir: pathlib.Path, *extra: str, env_key: str | None = KEY):
        self.binary, self.data_dir, self.extra, self.env_key = binary, data_dir, extra, env_key
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.session = requests.Session()

    def start(self):
        env = dict(os.environ)
        env.pop("LOCALCLOUD_API_KEY", None)
        if self.env_key:
            env["LOCALCLOUD_API_KEY"] = self.env_key
        self.log = open(self.data_dir.parent / f"localcloud-{self.port}.log", "ab")
        self.proc = subprocess.Popen(
            [str(self.binary), "--listen", f"127.0.0.1:{self.port}", "--data-dir", str(self.data_dir),
             "--pending-ms", "100", "--rate-limit", "0", *self.extra],
            env=env, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"localcloud exited with {self.proc.returncode}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except requests.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("localcloud did not come up")

    def stop(self) -> int:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.session.close()
        self.log.close()
        return self.proc.returncode if self.proc else 0

    def call(self, method, path, body=None, key=KEY, raw=None, **kw):
        headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
        if raw is not None:
            headers["Content-Type"] = "application/json"
            return self.session.request(method, self.url + path, data=raw, headers=headers, timeout=10, **kw)
        return self.session.request(method, self.url + path, json=body, headers=headers, timeout=10, **kw)

    def wait_for(self, path, key, field, value, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            obj = self.call("GET", path).json()[key]
            if obj[field] == value:
                return obj
            time.sleep(0.05)
        raise AssertionError(f"{path} {field} never became {value}")

    def instance(self, region="ewr"):
        r = self.call("POST", "/v2/instances", {"region": region, "plan": "vc2-1c-1gb", "label": "n"})
        assert r.status_code == 202, r.text
        return r.json()["instance"]

    def active_block(self, size=10):
        r = self.call("POST", "/v2/blocks", {"region": "ewr", "size_gb": size, "label": "v"})
        assert r.status_code == 202, r.text
        return self.wait_for(f"/v2/blocks/{r.json()['block']['id']}", "block", "status", "active")


@pytest.fixture
def binary(bin_dir) -> pathlib.Path:
    path = bin_dir / "localcloud"
    if not path.exists():
        pytest.fail(f"{path} not built (swift build --product localcloud)")
    return path


@pytest.fixture
def cloud_factory(binary, tmp_path):
    started = []

    def make(*extra, data_dir=None, env_key=KEY):
        c = Cloud(binary, data_dir or tmp_path / "data", *extra, env_key=env_key)
        started.append(c)
        return c.start()

    yield make
    for c in started:
        c.stop()


@pytest.fixture
def cloud(cloud_factory):
    return cloud_factory()


def assert_error(r, status):
    assert r.status_code == status, r.text
    body = r.json()
    assert body["status"] == status and isinstance(body["error"], str) and body["error"]


# --- auth ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/v2/regions", "/v2/instances", "/v2/blocks", "/v2/blocks/snapshots",
                                  "/v2/load-balancers", "/v2/routes"])
def test_every_v2_endpoint_requires_the_key(cloud, path):
    assert_error(cloud.call("GET", path, key=None), 401)
    assert_error(cloud.call("GET", path, key="wrong"), 401)
    assert cloud.call("GET", path).status_code == 200


def test_key_from_file(cloud_factory, tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("file-key-123\n")
    c = cloud_factory("--api-key-file", str(key_file), env_key=None)
    assert c.call("GET", "/v2/regions", key="file-key-123").status_code == 200
    assert_error(c.call("GET", "/v2/regions"), 401)


@pytest.mark.parametrize("extra,key", [
    ([], None),                                           # no key at all
    (["--api-key-file", "/nonexistent/key"], None),       # unreadable key file
    (["--faults", "error_rate=7"], "k"),                  # rate out of range
    (["--faults", "bogus=1"], "k"),                       # unknown fault
    (["--log-format", "xml"], "k"),
    (["--public-pool", "not-a-cidr"], "k"),
])
def test_refuses_to_start_with_bad_configuration(binary, tmp_path, extra, key):
    env = {k: v for k, v in os.environ.items() if k != "LOCALCLOUD_API_KEY"}
    if key:
        env["LOCALCLOUD_API_KEY"] = key
    r = subprocess.run([str(binary), "--listen", f"127.0.0.1:{free_port()}", "--data-dir", str(tmp_path / "d"), *extra],
                       env=env, capture_output=True, text=True, timeout=20)
    assert r.returncode != 0
    assert r.stderr.strip()


def test_bad_listen_address_is_refused(binary, tmp_path):
    r = subprocess.run([str(binary), "--listen", "nonsense", "--data-dir", str(tmp_path)],
                       env={**os.environ, "LOCALCLOUD_API_KEY": "k"}, capture_output=True, text=True, timeout=20)
    assert r.returncode != 0 and "--listen" in r.stderr


def test_address_pools_are_configurable(cloud_factory):
    c = cloud_factory("--public-pool", "127.77.0.0/24", "--private-pool", "127.78.0.0/24")
    a, b = c.instance(), c.instance()
    assert (a["main_ip"], b["main_ip"]) == ("127.77.0.1", "127.77.0.2")
    assert a["internal_ip"] == "127.78.0.1"


def test_sigterm_exits_cleanly(cloud):
    assert cloud.stop() == 0


# --- endpoints ----------------------------------------------------------------------------------

def test_regions(cloud):
    body = cloud.call("GET", "/v2/regions").json()
    assert {r["id"] for r in body["regions"]} >= {"ewr", "ams"}
    assert body["meta"]["total"] == len(body["regions"])


def test_instances(cloud):
    inst = cloud.instance()
    assert inst["status"] == "pending" and inst["power_status"] == "running"
    assert inst["main_ip"].startswith("127.1.") and inst["internal_ip"].startswith("127.2.")
    active = cloud.wait_for(f"/v2/instances/{inst['id']}", "instance", "status", "active")
    assert active["plan"] == "vc2-1c-1gb"
    assert [i["id"] for i in cloud.call("GET", "/v2/instances").json()["instances"]] == [inst["id"]]
    assert cloud.call("POST", f"/v2/instances/{inst['id']}/halt").status_code == 204
    assert cloud.call("GET", f"/v2/instances/{inst['id']}").json()["instance"]["power_status"] == "stopped"
    assert cloud.call("POST", f"/v2/instances/{inst['id']}/start").status_code == 204
    assert cloud.call("POST", f"/v2/instances/{inst['id']}/reboot").status_code == 204
    assert_error(cloud.call("GET", f"/v2/instances/{inst['id']}/halt"), 405)
    assert cloud.call("GET", f"/v2/instances/{inst['id']}").json()["instance"]["power_status"] == "running"
    assert_error(cloud.call("POST", "/v2/instances", {"region": "ewr"}), 400)
    assert_error(cloud.call("POST", "/v2/instances", {"region": "mars", "plan": "p"}), 400)
    assert_error(cloud.call("POST", "/v2/instances", raw="{"), 400)
    assert cloud.call("DELETE", f"/v2/instances/{inst['id']}").status_code == 204
    assert_error(cloud.call("GET", f"/v2/instances/{inst['id']}"), 404)
    assert_error(cloud.call("POST", "/v2/instances/nope/halt"), 404)


def test_metadata_by_id_and_by_source_address(cloud):
    inst = cloud.instance(region="fra")
    doc = requests.get(f"{cloud.url}/v1.json", params={"instance_id": inst["id"]}, timeout=5).json()
    assert doc["instanceid"] == inst["id"] and doc["region"]["regioncode"] == "FRA"
    # Connect from the instance's own (loopback-range) address: no id needed.
    conn = http.client.HTTPConnection("127.0.0.1", cloud.port, timeout=5, source_address=(inst["main_ip"], 0))
    conn.request("GET", "/v1.json")
    resp = conn.getresponse()
    assert resp.status == 200
    assert json.loads(resp.read())["instanceid"] == inst["id"]
    conn.close()
    assert_error(requests.get(f"{cloud.url}/v1.json", params={"instance_id": "nope"}, timeout=5), 404)


def test_metadata_document_has_what_vultrs_clients_read(cloud):
    # vultr/metadata (read by vultr-csi and Vultr's CCM): instance-v2-id, region.regioncode (upper
    # case), interfaces[] with ipv4/ipv6, mac, network-type and the VPC as network-v2-id.
    a, b, far = cloud.instance(region="ewr"), cloud.instance(region="ewr"), cloud.instance(region="ams")

    def doc(inst):
        r = requests.get(f"{cloud.url}/v1.json", params={"instance_id": inst["id"]}, timeout=5)
        assert r.status_code == 200, r.text
        return r.json()

    da, db, dfar = doc(a), doc(b), doc(far)
    assert da["instance-v2-id"] == a["id"] and da["region"]["regioncode"] == "EWR"
    public, private = da["interfaces"]
    assert public["network-type"] == "public" and private["network-type"] == "private"
    assert public["ipv4"]["address"] == a["main_ip"] and private["ipv4"]["address"] == a["internal_ip"]
    assert public["ipv4"]["netmask"] == "255.255.0.0"
    assert public["ipv6"]["address"] == a["v6_main_ip"] and public["ipv6"]["prefix"] == "64"
    assert len({public["mac"], private["mac"]}) == 2 and all(len(m.split(":")) == 6 for m in (public["mac"], private["mac"]))
    assert "network-v2-id" not in public
    vpc = private["network-v2-id"]
    assert vpc and db["interfaces"][1]["network-v2-id"] == vpc  # one region, one default VPC
    assert dfar["interfaces"][1]["network-v2-id"] not in ("", vpc)
    assert da["interfaces"][0]["mac"] != db["interfaces"][0]["mac"]
    # govultr's Instance fields the local cloud fills in.
    assert a["v6_main_ip"] and a["v6_network"] and a["v6_network_size"] == 64 and a["netmask_v4"] == "255.255.0.0"


def test_instance_with_fixed_addresses_and_vpc(cloud):
    # A local extension: an instance can carry a real host's addresses (a kubelet's --node-ip).
    body = {"region": "ewr", "plan": "vc2-1c-1gb", "label": "node", "main_ip": "10.1.2.3",
            "internal_ip": "10.1.2.4", "v6_main_ip": "fd00::3", "attach_vpc": ["my-vpc-1"]}
    r = cloud.call("POST", "/v2/instances", body)
    assert r.status_code == 202, r.text
    inst = r.json()["instance"]
    assert (inst["main_ip"], inst["internal_ip"], inst["v6_main_ip"]) == ("10.1.2.3", "10.1.2.4", "fd00::3")
    doc = requests.get(f"{cloud.url}/v1.json", params={"instance_id": inst["id"]}, timeout=5).json()
    assert doc["interfaces"][1]["network-v2-id"] == "my-vpc-1"
    # Pool-assigned instances never get an address someone holds; taken or malformed addresses are refused.
    assert cloud.instance()["main_ip"] != "10.1.2.3"
    r = cloud.call("POST", "/v2/instances", {**body, "attach_vpc": None, "internal_ip": None, "v6_main_ip": None})
    assert_error(r, 409)
    assert "10.1.2.3" in r.json()["error"]
    for field, value in [("main_ip", "10.1.2"), ("internal_ip", "nope"), ("v6_main_ip", "10.9.9.9"), ("v6_main_ip", "1::2::3")]:
        r = cloud.call("POST", "/v2/instances", {"region": "ewr", "plan": "p", field: value})
        assert_error(r, 400)
        assert field in r.json()["error"]
    assert_error(cloud.call("POST", "/v2/instances", {"region": "ewr", "plan": "p", "main_ip": "10.7.0.1", "internal_ip": "10.7.0.1"}), 400)


def test_blocks(cloud_factory):
    # A pending window long enough that "attach while pending" (423) holds on a loaded machine.
    cloud = cloud_factory("--pending-ms", "2000")
    inst = cloud.instance()
    other = cloud.instance()
    r = cloud.call("POST", "/v2/blocks", {"region": "ewr", "size_gb": 40, "label": "db", "block_type": "storage_opt"})
    assert r.status_code == 202
    block = r.json()["block"]
    assert block["status"] == "pending" and block["block_type"] == "storage_opt" and block["attached_to_instance"] == ""
    assert set(block) >= {"id", "date_created", "status", "size_gb", "region", "attached_to_instance", "label",
                          "mount_id", "block_type"}
    assert_error(cloud.call("POST", f"/v2/blocks/{block['id']}/attach", {"instance_id": inst["id"]}), 423)
    cloud.wait_for(f"/v2/blocks/{block['id']}", "block", "status", "active")
    assert cloud.call("POST", f"/v2/blocks/{block['id']}/attach", {"instance_id": inst["id"], "live": True}).status_code == 204
    assert cloud.call("GET", f"/v2/blocks/{block['id']}").json()["block"]["attached_to_instance"] == inst["id"]
    assert_error(cloud.call("POST", f"/v2/blocks/{block['id']}/attach", {"instance_id": other["id"]}), 409)
    assert_error(cloud.call("DELETE", f"/v2/blocks/{block['id']}"), 409)
    assert cloud.call("PATCH", f"/v2/blocks/{block['id']}", {"size_gb": 50, "label": "db2"}).status_code == 204
    got = cloud.call("GET", f"/v2/blocks/{block['id']}").json()["block"]
    assert got["size_gb"] == 50 and got["label"] == "db2"
    assert_error(cloud.call("PATCH", f"/v2/blocks/{block['id']}", {"size_gb": 45}), 400)
    assert cloud.call("POST", f"/v2/blocks/{block['id']}/detach", {"live": True}).status_code == 204
    assert_error(cloud.call("POST", f"/v2/blocks/{block['id']}/detach", {}), 409)
    assert cloud.call("DELETE", f"/v2/blocks/{block['id']}").status_code == 204
    assert_error(cloud.call("GET", f"/v2/blocks/{block['id']}"), 404)


@pytest.mark.parametrize("body", [
    None, [], {"size_gb": 10}, {"region": "ewr"}, {"region": "ewr", "size_gb": "10"}, {"region": "ewr", "size_gb": 0},
    {"region": "ewr", "size_gb": 10, "block_type": "nvme"}, {"region": "ewr", "size_gb": 10, "label": 5},
])
def test_block_bad_bodies(cloud, body):
    assert_error(cloud.call("POST", "/v2/blocks", raw=json.dumps(body) if body is not None else ""), 400)


def test_attach_limit(cloud_factory):
    c = cloud_factory("--attach-limit", "2")
    inst = c.instance()
    blocks = [c.active_block() for _ in range(3)]
    for b in blocks[:2]:
        assert c.call("POST", f"/v2/blocks/{b['id']}/attach", {"instance_id": inst["id"]}).status_code == 204
    assert_error(c.call("POST", f"/v2/blocks/{blocks[2]['id']}/attach", {"instance_id": inst["id"]}), 409)


def test_snapshots(cloud):
    block = cloud.active_block(size=15)
    r = cloud.call("POST", "/v2/blocks/snapshots", {"block_id": block["id"], "description": "nightly"})
    assert r.status_code == 201
    # Vultr's shape: the snapshot itself (no envelope), size in bytes, added_at/updated_at.
    snap = r.json()
    assert snap["block_id"] == block["id"] and snap["size"] == 15 * 2**30 and snap["state"] == "PENDING"
    assert isinstance(snap["added_at"], str) and isinstance(snap["updated_at"], str)
    deadline = time.monotonic() + 10
    while cloud.call("GET", f"/v2/blocks/snapshots/{snap['id']}").json()["state"] != "COMPLETE":
        assert time.monotonic() < deadline, "the snapshot never completed"
        time.sleep(0.05)
    assert [s["id"] for s in cloud.call("GET", "/v2/blocks/snapshots").json()["snapshots"]] == [snap["id"]]
    assert cloud.call("PUT", f"/v2/blocks/snapshots/{snap['id']}", {"description": "weekly"}).status_code == 204
    assert cloud.call("GET", f"/v2/blocks/snapshots/{snap['id']}").json()["description"] == "weekly"
    restored = cloud.call("POST", "/v2/blocks", {"region": "ewr", "label": "r", "snapshot_id": snap["id"]})
    assert restored.status_code == 202 and restored.json()["block"]["size_gb"] == 15
    assert_error(cloud.call("POST", "/v2/blocks", {"region": "ewr", "size_gb": 10, "snapshot_id": snap["id"]}), 400)
    assert_error(cloud.call("POST", "/v2/blocks", {"region": "ewr", "size_gb": 20, "snapshot_id": "nope"}), 404)
    assert_error(cloud.call("POST", "/v2/blocks/snapshots", {"description": "x"}), 400)
    assert_error(cloud.call("POST", "/v2/blocks/snapshots", {"block_id": "nope"}), 404)
    assert cloud.call("DELETE", f"/v2/blocks/snapshots/{snap['id']}").status_code == 204
    assert_error(cloud.call("GET", f"/v2/blocks/snapshots/{snap['id']}"), 404)


def test_load_balancers(cloud):
    inst = cloud.instance()
    body = {
        "region": "ewr", "label": "web", "instances": [inst["id"]], "balancing_algorithm": "leastconn",
        "forwarding_rules": [{"frontend_protocol": "tcp", "frontend_port": 80, "backend_protocol": "tcp", "backend_port": 30080}],
        "health_check": {"protocol": "http", "port": 10256, "path": "/healthz", "check_interval": 10,
                         "response_timeout": 3, "unhealthy_threshold": 2, "healthy_threshold": 2},
        "firewall_rules": [{"port": 80, "ip_type": "v4", "source": "192.0.2.0/24"}],
        "sticky_session": {"cookie_name": "c"}, "proxy_protocol": True,
    }
    r = cloud.call("POST", "/v2/load-balancers", body)
    assert r.status_code == 202, r.text
    lb = r.json()["load_balancer"]
    assert lb["status"] == "pending" and lb["ipv4"].startswith("127.3.")
    assert lb["generic_info"]["balancing_algorithm"] == "leastconn"
    assert lb["health_check"]["path"] == "/healthz" and lb["instances"] == [inst["id"]]
    cloud.wait_for(f"/v2/load-balancers/{lb['id']}", "load_balancer", "status", "active")
    assert cloud.call("PATCH", f"/v2/load-balancers/{lb['id']}", {"label": "web2", "instances": []}).status_code == 204
    got = cloud.call("GET", f"/v2/load-balancers/{lb['id']}").json()["load_balancer"]
    assert got["label"] == "web2" and got["instances"] == []
    rule = cloud.call("POST", f"/v2/load-balancers/{lb['id']}/forwarding-rules",
                      {"frontend_protocol": "http", "frontend_port": 8080, "backend_protocol": "http", "backend_port": 30081})
    assert rule.status_code == 201
    rule_id = rule.json()["forwarding_rule"]["id"]
    rules = cloud.call("GET", f"/v2/load-balancers/{lb['id']}/forwarding-rules").json()["forwarding_rules"]
    assert {r["frontend_port"] for r in rules} == {80, 8080}
    assert cloud.call("GET", f"/v2/load-balancers/{lb['id']}/forwarding-rules/{rule_id}").status_code == 200
    assert cloud.call("DELETE", f"/v2/load-balancers/{lb['id']}/forwarding-rules/{rule_id}").status_code == 204
    assert_error(cloud.call("GET", f"/v2/load-balancers/{lb['id']}/forwarding-rules/{rule_id}"), 404)
    fw = cloud.call("GET", f"/v2/load-balancers/{lb['id']}/firewall-rules").json()["firewall_rules"]
    assert fw[0]["source"] == "192.0.2.0/24"
    assert cloud.call("GET", f"/v2/load-balancers/{lb['id']}/firewall-rules/{fw[0]['id']}").status_code == 200
    assert [x["id"] for x in cloud.call("GET", "/v2/load-balancers").json()["load_balancers"]] == [lb["id"]]
    for bad in ({"region": "ewr"}, {**body, "balancing_algorithm": "random"},
                {**body, "forwarding_rules": [{"frontend_protocol": "udp", "frontend_port": 1, "backend_protocol": "tcp", "backend_port": 1}]},
                {**body, "forwarding_rules": [{"frontend_protocol": "tcp", "frontend_port": 70000, "backend_protocol": "tcp", "backend_port": 1}]},
                {**body, "firewall_rules": [{"port": 80, "ip_type": "v4", "source": "everyone"}]}):
        assert_error(cloud.call("POST", "/v2/load-balancers", bad), 400)
    assert_error(cloud.call("POST", "/v2/load-balancers", {**body, "instances": ["ghost"]}), 404)
    assert cloud.call("DELETE", f"/v2/load-balancers/{lb['id']}").status_code == 204
    assert_error(cloud.call("GET", f"/v2/load-balancers/{lb['id']}"), 404)


def test_routes(cloud):
    inst = cloud.instance()
    r = cloud.call("POST", "/v2/routes", {"destination": "10.244.3.0/24", "instance_id": inst["id"], "description": "pods"})
    assert r.status_code == 201
    route = r.json()["route"]
    assert route["next_hop"] == inst["internal_ip"] and route["destination"] == "10.244.3.0/24"
    assert [x["id"] for x in cloud.call("GET", "/v2/routes").json()["routes"]] == [route["id"]]
    assert cloud.call("GET", f"/v2/routes/{route['id']}").json()["route"] == route
    assert_error(cloud.call("POST", "/v2/routes", {"destination": "10.244.3.0/24", "instance_id": inst["id"]}), 409)
    for bad in ("10.244.3.1/24", "10.244.3.0", "banana", "10.0.0.0/33"):
        assert_error(cloud.call("POST", "/v2/routes", {"destination": bad, "instance_id": inst["id"]}), 400)
    assert_error(cloud.call("POST", "/v2/routes", {"destination": "10.9.0.0/16", "instance_id": "ghost"}), 404)
    assert cloud.call("DELETE", f"/v2/routes/{route['id']}").status_code == 204
    assert_error(cloud.call("DELETE", f"/v2/routes/{route['id']}"), 404)


def test_pagination(cloud):
    ids = [cloud.instance()["id"] for _ in range(5)]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"per_page": 2, **({"cursor": cursor} if cursor else {})}
        body = cloud.call("GET", "/v2/instances", params=params).json()
        seen += [i["id"] for i in body["instances"]]
        assert body["meta"]["total"] == 5
        pages += 1
        cursor = body["meta"]["links"]["next"]
        if not cursor:
            break
    assert pages == 3 and seen == ids
    assert_error(cloud.call("GET", "/v2/instances", params={"cursor": "!!"}), 400)
    assert_error(cloud.call("GET", "/v2/instances", params={"per_page": "many"}), 400)


def test_restart_keeps_state(cloud_factory, tmp_path):
    first = cloud_factory()
    inst = first.instance()
    block = first.active_block()
    assert first.call("POST", f"/v2/blocks/{block['id']}/attach", {"instance_id": inst["id"]}).status_code == 204
    assert first.stop() == 0
    second = cloud_factory(data_dir=first.data_dir)
    assert second.call("GET", f"/v2/blocks/{block['id']}").json()["block"]["attached_to_instance"] == inst["id"]
    assert second.call("GET", f"/v2/instances/{inst['id']}").status_code == 200


def test_rate_limit(cloud_factory):
    c = cloud_factory("--rate-limit", "2")
    codes = [c.call("GET", "/v2/regions") for _ in range(15)]
    limited = [r for r in codes if r.status_code == 429]
    assert limited, [r.status_code for r in codes]
    assert int(limited[0].headers["Retry-After"]) >= 1
    assert_error(limited[0], 429)


# --- faults ---------------------------------------------------------------------------------------

def test_fault_error_rate(cloud_factory):
    c = cloud_factory("--faults", "error_rate=1")
    assert all(c.call("GET", "/v2/blocks").status_code == 500 for _ in range(3))
    assert c.call("GET", "/healthz").status_code == 200


def test_fault_throttle_rate(cloud_factory):
    c = cloud_factory("--faults", "throttle_rate=1")
    r = c.call("GET", "/v2/blocks")
    assert_error(r, 429)
    assert int(r.headers["Retry-After"]) >= 1


def test_fault_drop_after_commit(cloud_factory):
    c = cloud_factory("--faults", "drop_after_commit_rate=1")
    with pytest.raises(requests.ConnectionError):
        c.call("POST", "/v2/instances", {"region": "ewr", "plan": "vc2-1c-1gb"})
    assert c.stop() == 0
    again = cloud_factory(data_dir=c.data_dir)
    assert len(again.call("GET", "/v2/instances").json()["instances"]) == 1


def test_fault_latency(cloud_factory):
    c = cloud_factory("--faults", "latency_ms=300")
    start = time.monotonic()
    assert c.call("GET", "/v2/regions").status_code == 200
    assert time.monotonic() - start >= 0.3


# --- real devices ---------------------------------------------------------------------------------

def loops_for(path: pathlib.Path) -> list[str]:
    out = subprocess.run(["losetup", "-j", str(path)], capture_output=True, text=True).stdout
    return [line.split(":")[0] for line in out.splitlines() if line.strip()]


@pytest.fixture
def loop_cleanup(tmp_path):
    yield
    for img in (tmp_path / "data" / "volumes").glob("*.img") if (tmp_path / "data" / "volumes").exists() else []:
        for loop in loops_for(img):
            subprocess.run(["losetup", "-d", loop], check=False)


@pytest.mark.skipif(os.geteuid() != 0, reason="loop devices need root")
def test_real_devices_attach_resize_detach(cloud_factory, tmp_path, loop_cleanup):
    dev_dir = tmp_path / "dev"
    c = cloud_factory("--real-devices", "--device-dir", str(dev_dir))
    inst = c.instance()
    block = c.active_block(size=10)
    img = tmp_path / "data" / "volumes" / f"{block['id']}.img"
    assert img.stat().st_size == 10 * 2**30 and img.stat().st_blocks * 512 < 2**20  # sparse
    link = dev_dir / f"virtio-{block['mount_id']}"
    assert not link.exists()
    assert c.call("POST", f"/v2/blocks/{block['id']}/attach", {"instance_id": inst["id"]}).status_code == 204
    assert link.is_symlink()
    loop = os.readlink(link)
    assert loop.startswith("/dev/loop") and loops_for(img) == [loop]
    size = lambda: int(subprocess.run(["blockdev", "--getsize64", loop], capture_output=True, text=True, check=True).stdout)
    assert size() == 10 * 2**30
    assert c.call("PATCH", f"/v2/blocks/{block['id']}", {"size_gb": 12}).status_code == 204
    assert size() == 12 * 2**30
    # A loop device lost behind the server's back (as after a reboot) comes back on restart.
    subprocess.run(["losetup", "-d", loop], check=True)
    link.unlink()
    assert c.stop() == 0
    c = cloud_factory("--real-devices", "--device-dir", str(dev_dir), data_dir=c.data_dir)
    assert link.is_symlink()
    loop = os.readlink(link)
    assert loops_for(img) == [loop] and size() == 12 * 2**30
    assert c.call("POST", f"/v2/blocks/{block['id']}/detach", {}).status_code == 204
    assert not link.exists() and not link.is_symlink()
    assert loops_for(img) == []
    assert c.call("DELETE", f"/v2/blocks/{block['id']}").status_code == 204
    assert not img.exists()


# --- operations -----------------------------------------------------------------------------------

def test_metrics_address_and_json_logs(cloud_factory, tmp_path):
    metrics_port = free_port()
    c = cloud_factory("--metrics-address", f"127.0.0.1:{metrics_port}", "--log-format", "json", "--log-level", "debug")
    assert c.call("GET", "/v2/regions").status_code == 200
    text = requests.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).text
    assert 'localcloud_requests_total{method="GET",resource="regions",status="200"} 1' in text
    assert requests.get(f"http://127.0.0.1:{metrics_port}/healthz", timeout=5).status_code == 200
    assert c.stop() == 0
    lines = [json.loads(line) for line in (tmp_path / f"localcloud-{c.port}.log").read_text().splitlines() if line.strip()]
    assert any(l["msg"] == "localcloud listening" for l in lines)
    assert all({"time", "level", "msg"} <= set(l) for l in lines)
    assert not any(KEY in json.dumps(l) for l in lines)
