"""The local cloud's load-balancer data plane and applied routes, driven through the real
`localcloud` binary with independent peers: `requests` for the API, plain `socket`/`ssl` clients
and Python backends bound on the instances' internal (loopback) addresses.

Every test gets its own loopback pools (random 127.x.y.0/24) so that load balancers of other
localcloud processes on the machine cannot collide with its listeners."""
import contextlib
import os
import pathlib
import random
import shutil
import socket
import ssl
import struct
import subprocess
import threading
import time

import pytest
import requests

KEY = "lb-interop-key-7d1e"


# --- the cloud --------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def random_pool() -> str:
    return f"127.{random.randint(100, 250)}.{random.randint(0, 255)}.0/24"


class Cloud:
    def __init__(self, binary: pathlib.Path, data_dir: pathlib.Path, *extra: str,
                 lb_pool: str | None = None, private_pool: str | None = None):
        self.binary, self.data_dir, self.extra = binary, data_dir, extra
        self.lb_pool = lb_pool or random_pool()
        self.private_pool = private_pool or random_pool()
        self.url = f"http://127.0.0.1:{free_port()}"
        self.log_path = data_dir.parent / f"localcloud-{self.url.rsplit(':', 1)[1]}.log"
        self.session = requests.Session()
        self.proc = None

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [str(self.binary), "--listen", self.url.removeprefix("http://"), "--data-dir", str(self.data_dir),
             "--pending-ms", "50", "--rate-limit", "0", "--load-balancer-pool", self.lb_pool,
             "--private-pool", self.private_pool, *self.extra],
            env={**os.environ, "LOCALCLOUD_API_KEY": KEY}, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"localcloud exited with {self.proc.returncode}: {self.output()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except requests.ConnectionError:
                time.sleep(0.05)
        raise AssertionError("localcloud did not come up")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def call(self, method, path, body=None):
        return self.session.request(method, self.url + path, json=body,
                                    headers={"Authorization": f"Bearer {KEY}"}, timeout=10)

    def instance(self):
        r = self.call("POST", "/v2/instances", {"region": "ewr", "plan": "vc2-1c-1gb", "label": "n"})
        assert r.status_code == 202, r.text
        return r.json()["instance"]

    def lb(self, lb_id):
        r = self.call("GET", f"/v2/load-balancers/{lb_id}")
        assert r.status_code == 200, r.text
        return r.json()["load_balancer"]

    def create_lb(self, instances, rules, **extra):
        body = {"region": "ewr", "label": "t", "instances": [i["id"] for i in instances],
                "forwarding_rules": [{"frontend_protocol": fp, "frontend_port": fport, "backend_protocol": bp,
                                      "backend_port": bport} for fp, fport, bp, bport in rules],
                **extra}
        r = self.call("POST", "/v2/load-balancers", body)
        assert r.status_code == 202, r.text
        lb = r.json()["load_balancer"]
        wait_until(lambda: self.lb(lb["id"])["status"] == "active", "load balancer active")
        return lb


def wait_until(predicate, what, timeout=20.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def binary(bin_dir) -> pathlib.Path:
    path = bin_dir / "localcloud"
    if not path.exists():
        pytest.fail(f"{path} not built (swift build --product localcloud)")
    return path


@pytest.fixture
def cloud_factory(binary, tmp_path):
    started = []

    def make(*extra, data_dir=None, **kw):
        c = Cloud(binary, data_dir or tmp_path / "data", *extra, **kw)
        started.append(c)
        return c.start()

    yield make
    for c in started:
        c.stop()


@pytest.fixture
def cloud(cloud_factory):
    return cloud_factory()


@pytest.fixture
def backends():
    made = []

    def make(*args, **kw):
        b = Backend(*args, **kw)
        made.append(b)
        return b

    yield make
    for b in made:
        b.close()


# --- backends ---------------------------------------------------------------------------------

class Backend:
    """A TCP (and optionally UDP) server on `address:port` that names itself in every answer.
    TCP: an HTTP request gets `HTTP/1.1 200` with the name as body; anything else is echoed as
    `name|data` until the client closes. The first bytes of each connection are kept (PROXY
    headers). A health endpoint on `health_port` answers 200, or 500 once `healthy` is False."""

    def __init__(self, name, address, port, udp=False, health_port=None):
        self.name, self.address, self.port = name, address, port
        self.connections = 0
        self.first_bytes = []
        self.healthy = True
        self.lock = threading.Lock()
        self.sockets = []
        self.tcp = self._listen(address, port)
        threading.Thread(target=self._accept, args=(self.tcp, self._serve), daemon=True).start()
        if health_port:
            self.health = self._listen(address, health_port)
            threading.Thread(target=self._accept, args=(self.health, self._serve_health), daemon=True).start()
        if udp:
            self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.udp.bind((address, port))
            self.udp_seen = []
            self.sockets.append(self.udp)
            threading.Thread(target=self._serve_udp, daemon=True).start()

    def _listen(self, address, port):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((address, port))
        s.listen(128)
        self.sockets.append(s)
        return s

    def _accept(self, listener, serve):
        while True:
            try:
                conn, peer = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        with conn:
            conn.settimeout(30)
            try:
                data = conn.recv(65536)
            except OSError:
                return
            if data:  # health checks connect and say nothing: not counted
                with self.lock:
                    self.connections += 1
                    self.first_bytes.append(data)
            # A PROXY header comes first: answer what follows it.
            if data.startswith(b"PROXY "):
                data = data.split(b"\r\n", 1)[1]
            elif data.startswith(PP2_SIGNATURE):
                length = struct.unpack("!H", data[14:16])[0]
                data = data[16 + length:]
            try:
                while not data:
                    data = conn.recv(65536)
                    if not data:
                        return
                if data.startswith(b"GET "):
                    body = self.name.encode()
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
                    return
                while data:
                    conn.sendall(self.name.encode() + b"|" + data)
                    data = conn.recv(65536)
            except OSError:
                return

    def _serve_health(self, conn):
        with conn:
            conn.settimeout(5)
            try:
                conn.recv(4096)
                status = b"200 OK" if self.healthy else b"500 Internal Server Error"
                conn.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            except OSError:
                pass

    def _serve_udp(self):
        while True:
            try:
                data, peer = self.udp.recvfrom(65536)
            except OSError:
                return
            if peer is None:  # closed under us
                return
            self.udp_seen.append(data)
            self.udp.sendto(self.name.encode() + b"|" + data, peer)

    def close(self):
        for s in self.sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()


PP2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"


def exchange(address, port, payload=b"hi", source=None, timeout=5.0) -> bytes:
    """One connection through the load balancer: send, read the answer, close."""
    s = socket.socket()
    s.settimeout(timeout)
    try:
        if source:
            s.bind((source, 0))
        s.connect((address, port))
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        s.close()


def served_by(answer: bytes) -> str:
    return answer.split(b"|", 1)[0].decode()


def http_get(address, port, path="/", headers=None, context=None):
    """A raw HTTP/1.1 GET; returns (status, headers dict (lower-case names), body)."""
    s = socket.create_connection((address, port), timeout=5)
    if context:
        s = context.wrap_socket(s)
    with s:
        lines = [f"GET {path} HTTP/1.1", f"Host: lb.example:{port}", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode().split("\r\n")
    got = {}
    for line in header_lines:
        k, _, v = line.partition(":")
        got.setdefault(k.strip().lower(), []).append(v.strip())
    return int(status_line.split()[1]), got, body


def two_targets(cloud, backends, port, **kw):
    """Two instances with a backend each on their internal address."""
    insts = [cloud.instance(), cloud.instance()]
    bs = [backends(f"t{n}", i["internal_ip"], port, **kw) for n, i in enumerate(insts)]
    return insts, bs


def health(port, interval=1, unhealthy=2, healthy=2, protocol="tcp", path="/"):
    return {"protocol": protocol, "port": port, "path": path, "check_interval": interval, "response_timeout": 1,
            "unhealthy_threshold": unhealthy, "healthy_threshold": healthy}


# --- forwarding -------------------------------------------------------------------------------

def test_round_robin_reaches_both_targets_and_reports_health(cloud, backends):
    port = free_port()
    insts, bs = two_targets(cloud, backends, port)
    lb = cloud.create_lb(insts, [("tcp", 8000, "tcp", port)], health_check=health(port))
    wait_until(lambda: exchange_ok(lb["ipv4"], 8000), "listener")
    answers = [exchange(lb["ipv4"], 8000, b"x%d" % n) for n in range(10)]
    seen = {served_by(a) for a in answers}
    assert seen == {"t0", "t1"}, answers
    assert all(a.endswith(b"|x%d" % n) for n, a in enumerate(answers))
    wait_until(lambda: {h["state"] for h in cloud.lb(lb["id"]).get("health_status", [])} == {"healthy"}, "healthy targets")
    status = cloud.lb(lb["id"])["health_status"]
    assert sorted((h["instance_id"], h["address"], h["port"]) for h in status) == \
        sorted((i["id"], i["internal_ip"], port) for i in insts)
    assert cloud.lb(lb["id"]).get("listener_errors") == []


def exchange_ok(address, port) -> bool:
    try:
        return b"|" in exchange(address, port, b"probe", timeout=2)
    except OSError:
        return False


def test_leastconn_sends_new_connections_to_the_less_busy_target(cloud, backends):
    port = free_port()
    insts, bs = two_targets(cloud, backends, port)
    lb = cloud.create_lb(insts, [("tcp", 8000, "tcp", port)], health_check=health(port),
                         balancing_algorithm="leastconn")
    wait_until(lambda: exchange_ok(lb["ipv4"], 8000), "listener")
    held = [socket.create_connection((lb["ipv4"], 8000), timeout=5) for _ in range(2)]
    try:
        for s in held:
            s.sendall(b"hold")
        busy = [served_by(s.recv(100)) for s in held]
        # Both long connections: one per target (the second goes to the idle one). Make one
        # target busier still.
        assert sorted(busy) == ["t0", "t1"], busy
        extra = socket.create_connection((lb["ipv4"], 8000), timeout=5)
        held.append(extra)
        extra.sendall(b"hold")
        busier = served_by(extra.recv(100))
        new = []
        for _ in range(10):
            new.append(served_by(exchange(lb["ipv4"], 8000)))
            time.sleep(0.05)  # let the finished connection stop counting
        assert new.count(busier) < new.count("t0" if busier == "t1" else "t1"), (busier, new)
    finally:
        for s in held:
            s.close()


def test_unhealthy_target_gets_no_new_connections_and_returns(cloud, backends):
    port, hport = free_port(), free_port()
    insts, bs = two_targets(cloud, backends, port, health_port=hport)
    lb = cloud.create_lb(insts, [("tcp", 8000, "tcp", port)],
                         health_check=health(hport, protocol="http", path="/healthz"))
    wait_until(lambda: exchange_ok(lb["ipv4"], 8000), "listener")

    def states():
        return {h["address"]: h["state"] for h in cloud.lb(lb["id"])["health_status"]}

    wait_until(lambda: set(states().values()) == {"healthy"}, "both healthy")
    bs[0].healthy = False
    started = time.monotonic()
    wait_until(lambda: states()[insts[0]["internal_ip"]] == "unhealthy", "t0 unhealthy", timeout=15)
    # interval 1 s x threshold 2, plus a timeout's worth and slack for a loaded machine.
    assert time.monotonic() - started < 10
    assert {served_by(exchange(lb["ipv4"], 8000)) for _ in range(10)} == {"t1"}
    bs[0].healthy = True
    wait_until(lambda: states()[insts[0]["internal_ip"]] == "healthy", "t0 healthy again", timeout=15)
    assert {served_by(exchange(lb["ipv4"], 8000)) for _ in range(10)} == {"t0", "t1"}


def test_no_healthy_target_refuses_rather_than_hangs(cloud, backends):
    port, hport = free_port(), free_port()
    inst = cloud.instance()
    b = backends("only", inst["internal_ip"], port, health_port=hport)
    lb = cloud.create_lb([inst], [("tcp", 8000, "tcp", port)], health_check=health(hport, protocol="http"))
    wait_until(lambda: exchange_ok(lb["ipv4"], 8000), "listener")
    b.healthy = False
    wait_until(lambda: cloud.lb(lb["id"])["health_status"][0]["state"] == "unhealthy", "unhealthy", timeout=15)
    started = time.monotonic()
    try:
        answer = exchange(lb["ipv4"], 8000, timeout=10)
    except OSError:  # reset, or not connected any more by the time we write
        answer = b""
    assert answer == b"" and time.monotonic() - started < 8


def test_udp_datagrams_are_forwarded_and_answered(cloud, backends):
    port = free_port()
    insts, bs = two_targets(cloud, backends, port, udp=True)
    lb = cloud.create_lb(insts, [("udp", 5353, "udp", port)], health_check=health(port))
    seen = set()
    for n in range(6):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(0.5)
            for _ in range(40):
                s.sendto(b"ping%d" % n, (lb["ipv4"], 5353))
                try:
                    reply, peer = s.recvfrom(1000)
                    break
                except socket.timeout:
                    continue
            else:
                raise AssertionError("no UDP reply")
            assert peer == (lb["ipv4"], 5353)
            assert reply.endswith(b"|ping%d" % n)
            seen.add(served_by(reply))
    assert seen == {"t0", "t1"}


def test_udp_rules_need_udp_on_both_sides(cloud):
    inst = cloud.instance()
    for fp, bp in (("udp", "tcp"), ("tcp", "udp")):
        r = cloud.call("POST", "/v2/load-balancers", {
            "region": "ewr", "instances": [inst["id"]],
            "forwarding_rules": [{"frontend_protocol": fp, "frontend_port": 53, "backend_protocol": bp, "backend_port": 53}]})
        assert r.status_code == 400 and "udp" in r.json()["error"], r.text


@pytest.mark.parametrize("version", [1, 2])
def test_proxy_protocol_header_carries_the_client_address(cloud, backends, version):
    port = free_port()
    insts, bs = two_targets(cloud, backends, port)
    lb = cloud.create_lb(insts[:1], [("tcp", 8000, "tcp", port)], health_check=health(port),
                         proxy_protocol=True, proxy_protocol_version=version)
    assert cloud.lb(lb["id"])["generic_info"]["proxy_protocol"] is True
    wait_until(lambda: exchange_ok(lb["ipv4"], 8000), "listener")
    s = socket.socket()
    s.bind(("127.0.0.7", 0))
    s.settimeout(5)
    s.connect((lb["ipv4"], 8000))
    client_port = s.getsockname()[1]
    s.sendall(b"hello")
    assert s.recv(100) == b"t0|hello"
    s.close()
    first = bs[0].first_bytes[-1]
    if version == 1:
        assert first.startswith(f"PROXY TCP4 127.0.0.7 {lb['ipv4']} {client_port} 8000\r\n".encode()), first
    else:
        assert first.startswith(PP2_SIGNATURE)
        assert first[12] == 0x21 and first[13] == 0x11 and struct.unpack("!H", first[14:16])[0] == 12
        src, dst, sport, dport = struct.unpack("!4s4sHH", first[16:28])
        assert socket.inet_ntoa(src) == "127.0.0.7" and socket.inet_ntoa(dst) == lb["ipv4"]
        assert (sport, dport) == (client_port, 8000)


# --- TLS, HTTP ----------------------------------------------------------------------------------

@pytest.fixture
def certificate(tmp_path):
    if not shutil.which("openssl"):
        pytest.skip("openssl CLI not installed (needed to make a test certificate)")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", "/CN=lb.mooring.test"], check=True, capture_output=True)
    return key.read_text(), cert.read_text()


def test_https_frontend_presents_the_configured_certificate_and_never_shows_the_key(cloud, backends, certificate):
    key, cert = certificate
    port = free_port()
    insts, bs = two_targets(cloud, backends, port)
    lb = cloud.create_lb(insts, [("https", 8443, "http", port)], health_check=health(port),
                         ssl={"private_key": key, "certificate": cert})
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE

    def handshake():
        try:
            with socket.create_connection((lb["ipv4"], 8443), timeout=3) as raw, ctx.wrap_socket(raw) as s:
                return s.getpeercert(binary_form=True)
        except OSError:
            return None

    wait_until(lambda: handshake() is not None, "TLS listener")
    assert handshake() == ssl.PEM_cert_to_DER_cert(cert)
    status, _, body = http_get(lb["ipv4"], 8443, context=ctx)
    assert status == 200 and body in (b"t0", b"t1")
    key_body = "".join(key.strip().splitlines()[1:-1])[:40]
    for text in (cloud.call("GET", f"/v2/load-balancers/{lb['id']}").text, cloud.call("GET", "/v2/load-balancers").text,
                 cloud.output()):
        assert "PRIVATE KEY" not in text and key_body not in text
    assert cloud.lb(lb["id"])["has_ssl"] is True


def test_https_backend_gets_tls_and_https_health_checks_pass(cloud, backends, certificate, tmp_path):
    key, cert = certificate
    (tmp_path / "k.pem").write_text(key)
    (tmp_path / "c.pem").write_text(cert)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")
    inst = cloud.instance()
    port = free_port()
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((inst["internal_ip"], port))
    listener.listen(16)
    served = []

    def serve():
        while True:
            try:
                raw, _ = listener.accept()
            except OSError:
                return
            try:
                with server_ctx.wrap_socket(raw, server_side=True) as conn:
                    request = conn.recv(4096)
                    served.append(request.split(b"\r\n", 1)[0])
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\ntls")
            except (OSError, ssl.SSLError):
                continue

    threading.Thread(target=serve, daemon=True).start()
    try:
        lb = cloud.create_lb([inst], [("https", 8443, "https", port)], ssl={"private_key": key, "certificate": cert},
                             health_check=health(port, protocol="https", path="/healthz"))
        wait_until(lambda: cloud.lb(lb["id"]).get("health_status", [{}])[0].get("state") == "healthy", "https check passes")
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        status, _, body = http_get(lb["ipv4"], 8443, path="/via-lb", context=ctx)
        assert (status, body) == (200, b"tls")
        assert b"GET /via-lb HTTP/1.1" in served and b"GET /healthz HTTP/1.1" in served
    finally:
        listener.close()


def test_bad_certificate_is_refused_without_echoing_the_key(cloud, certificate):
    key, cert = certificate
    inst = cloud.instance()
    r = cloud.call("POST", "/v2/load-balancers", {
        "region": "ewr", "instances": [inst["id"]], "ssl": {"private_key": key, "certificate": "not a certificate"},
        "forwarding_rules": [{"frontend_protocol": "https", "frontend_port": 443, "backend_protocol": "http", "backend_port": 80}]})
    assert r.status_code == 400 and "PRIVATE KEY" not in r.text


def test_sticky_cookie_pins_an_http_client_to_one_target(cloud, backends):
    port = free_port()
    insts, bs = two_targets(cloud, backends, port)
    lb = cloud.create_lb(insts, [("http", 8080, "http", port)], health_check=health(port),
                         sticky_session={"cookie_name": "mooring_lb"})
    wait_until(lambda: http_ok(lb["ipv4"], 8080), "listener")
    first = [http_get(lb["ipv4"], 8080) for _ in range(4)]
    assert {body for _, _, body in first} == {b"t0", b"t1"}
    status, headers, body = first[0]
    cookie = headers["set-cookie"][0].split(";")[0]
    name, _, value = cookie.partition("=")
    assert name == "mooring_lb" and value in {i["id"] for i in insts}
    pinned = {http_get(lb["ipv4"], 8080, headers={"Cookie": f"other=1; {cookie}"})[2] for _ in range(8)}
    assert pinned == {body}


def http_ok(address, port):
    try:
        return http_get(address, port)[0] < 500
    except (OSError, IndexError, ValueError):
        return False


def test_ssl_redirect_answers_301_to_https(cloud, backends, certificate):
    key, cert = certificate
    port = free_port()
    insts, bs = two_targets(cloud, backends, port)
    lb = cloud.create_lb(insts, [("http", 8080, "http", port), ("https", 8443, "http", port)],
                         health_check=health(port), ssl={"private_key": key, "certificate": cert}, ssl_redirect=True)
    wait_until(lambda: http_ok(lb["ipv4"], 8080), "listener")
    status, headers, _ = http_get(lb["ipv4"], 8080, path="/a/b?c=1")
    assert status == 301 and headers["location"] == ["https://lb.example:8443/a/b?c=1"]
    assert bs[0].connections + bs[1].connections == 0


# --- firewall, changes, lifecycle -------------------------------------------------------------

def test_firewall_admits_only_listed_sources_on_its_port(cloud, backends):
    port = free_port()
    insts, bs = two_targets(cloud, backends, port)
    lb = cloud.create_lb(insts, [("tcp", 8000, "tcp", port), ("tcp", 8001, "tcp", port)], health_check=health(port),
                         firewall_rules=[{"port": 8000, "ip_type": "v4", "source": "127.0.0.8/32"}])
    wait_until(lambda: exchange_ok(lb["ipv4"], 8001), "listener")
    assert b"|" in exchange(lb["ipv4"], 8000, source="127.0.0.8")
    before = bs[0].connections + bs[1].connections
    try:
        refused = exchange(lb["ipv4"], 8000, source="127.0.0.9")
    except OSError:
        refused = b""
    assert refused == b""
    assert bs[0].connections + bs[1].connections == before
    assert b"|" in exchange(lb["ipv4"], 8001, source="127.0.0.9")  # no rule for 8001: open


def test_patch_adds_a_rule_while_established_connections_keep_flowing(cloud, backends):
    port = free_port()
    insts, bs = two_targets(cloud, backends, port)
    lb = cloud.create_lb(insts, [("tcp", 8000, "tcp", port)], health_check=health(port))
    wait_until(lambda: exchange_ok(lb["ipv4"], 8000), "listener")
    held = socket.create_connection((lb["ipv4"], 8000), timeout=5)
    held.sendall(b"one")
    name = served_by(held.recv(100))
    r = cloud.call("PATCH", f"/v2/load-balancers/{lb['id']}", {
        "forwarding_rules": [{"frontend_protocol": "tcp", "frontend_port": 8000, "backend_protocol": "tcp", "backend_port": port},
                             {"frontend_protocol": "tcp", "frontend_port": 8001, "backend_protocol": "tcp", "backend_port": port}],
        "balancing_algorithm": "leastconn"})
    assert r.status_code == 204, r.text
    wait_until(lambda: exchange_ok(lb["ipv4"], 8001), "new rule listening")
    held.sendall(b"two")
    assert held.recv(100) == f"{name}|two".encode()
    # A rule added through the subresource, then removed: its listener closes, 8000's connection stays.
    r = cloud.call("POST", f"/v2/load-balancers/{lb['id']}/forwarding-rules",
                   {"frontend_protocol": "tcp", "frontend_port": 8002, "backend_protocol": "tcp", "backend_port": port})
    assert r.status_code == 201
    wait_until(lambda: exchange_ok(lb["ipv4"], 8002), "subresource rule listening")
    assert cloud.call("DELETE", f"/v2/load-balancers/{lb['id']}/forwarding-rules/{r.json()['forwarding_rule']['id']}").status_code == 204
    wait_until(lambda: refused(lb["ipv4"], 8002), "removed rule closed")
    held.sendall(b"three")
    assert held.recv(100) == f"{name}|three".encode()
    held.close()
    assert cloud.call("DELETE", f"/v2/load-balancers/{lb['id']}").status_code == 204
    wait_until(lambda: refused(lb["ipv4"], 8000) and refused(lb["ipv4"], 8001), "listeners closed on delete")


def refused(address, port) -> bool:
    try:
        socket.create_connection((address, port), timeout=2).close()
        return False
    except ConnectionRefusedError:
        return True


def test_instance_changes_reach_the_target_list(cloud, backends):
    port = free_port()
    insts, bs = two_targets(cloud, backends, port)
    lb = cloud.create_lb(insts[:1], [("tcp", 8000, "tcp", port)], health_check=health(port))
    wait_until(lambda: exchange_ok(lb["ipv4"], 8000), "listener")
    assert {served_by(exchange(lb["ipv4"], 8000)) for _ in range(4)} == {"t0"}
    assert cloud.call("PATCH", f"/v2/load-balancers/{lb['id']}", {"instances": [insts[1]["id"]]}).status_code == 204
    wait_until(lambda: {served_by(exchange(lb["ipv4"], 8000)) for _ in range(4)} == {"t1"}, "target switched")


def test_a_port_in_use_is_reported_and_other_rules_still_serve(cloud, backends):
    port = free_port()
    insts, bs = two_targets(cloud, backends, port)
    lb_address = cloud.lb_pool.rsplit(".", 1)[0] + ".1"
    squatter = socket.socket()
    squatter.bind((lb_address, 9000))
    squatter.listen()
    try:
        lb = cloud.create_lb(insts, [("tcp", 9000, "tcp", port), ("tcp", 9001, "tcp", port)], health_check=health(port))
        assert lb["ipv4"] == lb_address
        wait_until(lambda: exchange_ok(lb["ipv4"], 9001), "other rule")
        wait_until(lambda: cloud.lb(lb["id"]).get("listener_errors"), "listener error visible")
        errors = cloud.lb(lb["id"])["listener_errors"]
        assert [(e["frontend_port"], e["protocol"]) for e in errors] == [(9000, "tcp")] and errors[0]["error"]
    finally:
        squatter.close()
    # Once the port is free, the listener opens on its own.
    wait_until(lambda: exchange_ok(lb["ipv4"], 9000), "listener after the port freed")
    wait_until(lambda: cloud.lb(lb["id"])["listener_errors"] == [], "error cleared")


def test_active_load_balancers_resume_after_a_restart(cloud_factory, backends, tmp_path):
    c = cloud_factory()
    port = free_port()
    insts, bs = two_targets(c, backends, port)
    lb = c.create_lb(insts, [("tcp", 8000, "tcp", port)], health_check=health(port))
    wait_until(lambda: exchange_ok(lb["ipv4"], 8000), "listener")
    assert c.stop() == 0
    assert refused(lb["ipv4"], 8000)
    again = cloud_factory(data_dir=c.data_dir, lb_pool=c.lb_pool, private_pool=c.private_pool)
    wait_until(lambda: exchange_ok(lb["ipv4"], 8000), "listener after restart")
    assert again.lb(lb["id"])["status"] == "active"


# --- routes in a network namespace ------------------------------------------------------------

def ip(*args, check=True):
    return subprocess.run(["ip", *args], check=check, capture_output=True, text=True)


@pytest.fixture
def netns():
    if os.geteuid() != 0 or not shutil.which("ip"):
        pytest.skip("needs root and iproute2 to create a network namespace")
    name = f"mooring-rt-{os.getpid()}-{random.randint(0, 99999)}"
    r = ip("netns", "add", name, check=False)
    if r.returncode != 0:
        pytest.skip(f"ip netns add impossible here: {r.stderr.strip()}")
    try:
        ip("-n", name, "link", "add", "rt0", "type", "veth", "peer", "name", "rt1")
        ip("-n", name, "link", "set", "rt0", "up")
        ip("-n", name, "link", "set", "rt1", "up")
        ip("-n", name, "addr", "add", "10.99.0.254/24", "dev", "rt0")
        yield name
    finally:
        ip("netns", "del", name, check=False)


def kernel_routes(ns):
    import json
    out = json.loads(ip("-n", ns, "-j", "route", "show", "proto", "250").stdout or "[]")
    return {(r["dst"] if "/" in r["dst"] else r["dst"] + "/32", r["gateway"]) for r in out}


def table(cloud):
    return {(r["destination"], r["next_hop"]) for r in cloud.call("GET", "/v2/routes").json()["routes"]}


def test_routes_are_applied_in_the_network_namespace(cloud_factory, netns, tmp_path):
    # Someone else's route (proto static) and a stale one of ours from an earlier run.
    ip("-n", netns, "route", "add", "10.250.0.0/16", "via", "10.99.0.9", "dev", "rt0", "proto", "static")
    ip("-n", netns, "route", "add", "10.251.0.0/16", "via", "10.99.0.9", "dev", "rt0", "onlink", "proto", "250")
    c = cloud_factory("--apply-routes", netns, "--route-device", "rt0", private_pool="10.99.0.0/24")
    assert kernel_routes(netns) == set()  # the stale route is gone
    assert "10.250.0.0/16" in ip("-n", netns, "route", "show").stdout  # others' routes untouched
    a, b = c.instance(), c.instance()
    ids = []
    for dest, inst, hop in (("10.244.1.0/24", a, None), ("10.244.2.0/24", b, None), ("10.245.0.0/16", a, "10.99.0.77")):
        body = {"destination": dest, "instance_id": inst["id"]}
        if hop:
            body["next_hop"] = hop
        r = c.call("POST", "/v2/routes", body)
        assert r.status_code == 201, r.text
        ids.append(r.json()["route"]["id"])
        assert kernel_routes(netns) == table(c)
    assert ("10.245.0.0/16", "10.99.0.77") in kernel_routes(netns)
    assert c.call("DELETE", f"/v2/routes/{ids[0]}").status_code == 204
    assert kernel_routes(netns) == table(c) and len(table(c)) == 2
    # Restart after someone removed one of ours by hand: the table is put back.
    assert c.stop() == 0
    ip("-n", netns, "route", "del", "10.244.2.0/24")
    again = cloud_factory("--apply-routes", netns, data_dir=c.data_dir, private_pool="10.99.0.0/24")
    assert kernel_routes(netns) == table(again) and len(table(again)) == 2
    assert "10.250.0.0/16" in ip("-n", netns, "route", "show").stdout
    # The host's own table never got them.
    assert "10.244.2.0/24" not in ip("route", "show").stdout


def test_apply_routes_to_a_missing_namespace_fails_clearly(binary, tmp_path):
    if os.geteuid() != 0 or not shutil.which("ip"):
        pytest.skip("needs root and iproute2")
    c = Cloud(binary, tmp_path / "data", "--apply-routes", "mooring-no-such-ns")
    with pytest.raises(AssertionError) as failure:
        c.start()
    c.log.close()
    assert "mooring-no-such-ns" in str(failure.value)
