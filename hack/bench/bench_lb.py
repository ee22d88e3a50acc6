"""Load driver for hack/bench/bench-lb: backends, clients and the figures. Run through hack/bench/bench-lb."""
import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import subprocess
import tempfile
import time
import urllib.request

HEAD = {"Authorization": "Bearer bench-key", "Content-Type": "application/json"}
CHUNK = b"\0" * (256 * 1024)


def api(base, method, path, body=None):
    req = urllib.request.Request(base + path, method=method, headers=HEAD,
                                 data=json.dumps(body).encode() if body is not None else None)
    with urllib.request.urlopen(req, timeout=10) as r:
        text = r.read()
        return json.loads(text) if text else None


def backend(address, port, ready):
    """Answers each connection: small requests get an echo; streams are counted and the count
    returned at end of input."""

    async def serve(reader, writer):
        total = 0
        first = await reader.read(65536)
        if first.startswith(b"ping"):
            writer.write(first)
        else:
            total = len(first)
            while data := await reader.read(1 << 20):
                total += len(data)
            writer.write(b"%d" % total)
        try:
            await writer.drain()
            writer.close()
            await writer.wait_closed()
        except OSError:
            pass

    async def main():
        server = await asyncio.start_server(serve, address, port, backlog=1024, reuse_address=True)
        ready.set()
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def connector(address, port, seconds, out):
    count = errors = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        s = socket.socket()
        try:
            s.connect((address, port))
            s.sendall(b"ping-0123456789ab")
            if s.recv(100):
                count += 1
            else:
                errors += 1
        except OSError:
            errors += 1
        finally:
            s.close()
    out.put((count, errors))


def streamer(address, port, mb, out):
    s = socket.create_connection((address, port))
    sent = 0
    want = mb << 20
    while sent < want:
        s.sendall(CHUNK)
        sent += len(CHUNK)
    s.shutdown(socket.SHUT_WR)
    answer = b""
    while data := s.recv(100):
        answer += data
    s.close()
    out.put(int(answer or 0) == sent)


def run_phase(pid, target, args, count):
    """Runs `count` processes of `target(*args, queue)`; returns their results, the seconds taken
    and localcloud's CPU seconds meanwhile."""
    out = multiprocessing.Queue()
    cpu0, t0 = cpu_seconds(pid), time.monotonic()
    procs = [multiprocessing.Process(target=target, args=(*args, out)) for _ in range(count)]
    for proc in procs:
        proc.start()
    results = [out.get() for _ in procs]
    for proc in procs:
        proc.join()
    return results, time.monotonic() - t0, cpu_seconds(pid) - cpu0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def at_rest(binary, resync_ms, balancers, seconds):
    """A localcloud of its own with `balancers` active load balancers (one tcp rule each, two
    targets on loopback, tcp health checks every 15 s as Vultr's default) and no traffic: its
    CPU seconds over `seconds`, as a fraction of one core."""
    with tempfile.TemporaryDirectory() as work:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = subprocess.Popen(
            [binary, "--listen", f"127.0.0.1:{port}", "--data-dir", f"{work}/data", "--rate-limit", "0",
             "--pending-ms", "0", "--log-level", "warning", "--load-balancer-pool", "127.79.0.0/24",
             "--private-pool", "127.80.0.0/24", "--lb-resync-ms", str(resync_ms)],
            env={**os.environ, "LOCALCLOUD_API_KEY": "bench-key"}, stderr=subprocess.DEVNULL)
        backends = []
        try:
            wait_healthy(base)
            target_port = 20000 + (os.getpid() + 7) % 20000
            insts = [api(base, "POST", "/v2/instances", {"region": "ewr", "plan": "p", "label": "r"})["instance"]
                     for _ in range(2)]
            for inst in insts:
                ready = multiprocessing.Event()
                backend_proc = multiprocessing.Process(target=backend, args=(inst["internal_ip"], target_port, ready),
                                                       daemon=True)
                backend_proc.start()
                ready.wait(10)
                backends.append(backend_proc)
            addresses = [api(base, "POST", "/v2/load-balancers", {
                "region": "ewr", "instances": [i["id"] for i in insts],
                "forwarding_rules": [{"frontend_protocol": "tcp", "frontend_port": 9000, "backend_protocol": "tcp",
                                      "backend_port": target_port}],
                "health_check": {"protocol": "tcp", "port": target_port, "check_interval": 15, "response_timeout": 5,
                                 "unhealthy_threshold": 3, "healthy_threshold": 1}})["load_balancer"]["ipv4"]
                for _ in range(balancers)]
            for address in addresses:
                wait_listening(address, 9000)
            time.sleep(2)
            cpu0, t0 = cpu_seconds(proc.pid), time.monotonic()
            time.sleep(seconds)
            return (cpu_seconds(proc.pid) - cpu0) / (time.monotonic() - t0)
        finally:
            proc.terminate()
            proc.wait(10)
            for backend_proc in backends:
                backend_proc.terminate()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_healthy(base):
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"localcloud at {base} never answered")


def wait_listening(address, port):
    for _ in range(400):
        try:
            socket.create_connection((address, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit(f"load balancer {address}:{port} never listened")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--api")
    p.add_argument("--pid", type=int)
    p.add_argument("--seconds", type=float)
    p.add_argument("--clients", type=int)
    p.add_argument("--streams", type=int)
    p.add_argument("--mb", type=int)
    p.add_argument("--config")
    p.add_argument("--bin", help="the localcloud binary, for the at-rest runs")
    p.add_argument("--rest-balancers", type=int, default=40)
    p.add_argument("--rest-seconds", type=float, default=30)
    a = p.parse_args()

    wait_healthy(a.api)
    port = 20000 + os.getpid() % 20000
    insts = [api(a.api, "POST", "/v2/instances", {"region": "ewr", "plan": "p", "label": "b"})["instance"]
             for _ in range(2)]
    procs = []
    for inst in insts:
        ready = multiprocessing.Event()
        proc = multiprocessing.Process(target=backend, args=(inst["internal_ip"], port, ready), daemon=True)
        proc.start()
        ready.wait(10)
        procs.append(proc)
    lb = api(a.api, "POST", "/v2/load-balancers", {
        "region": "ewr", "instances": [i["id"] for i in insts],
        "forwarding_rules": [{"frontend_protocol": "tcp", "frontend_port": 9000, "backend_protocol": "tcp", "backend_port": port}],
        "health_check": {"protocol": "tcp", "port": port, "check_interval": 5, "response_timeout": 2,
                         "unhealthy_threshold": 3, "healthy_threshold": 1}})["load_balancer"]
    address = lb["ipv4"]
    wait_listening(address, 9000)

    print(f"load balancer {address}:9000 -> 2 targets on loopback ({a.config} build, {os.cpu_count()} cores)")
    results, elapsed, cpu = run_phase(a.pid, connector, (address, 9000, a.seconds), a.clients)
    done = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    print(f"new connections: {done / elapsed:8.0f} conn/s  ({done} in {elapsed:.1f} s, {a.clients} client processes, {errors} errors)")
    print(f"  localcloud CPU: {cpu * 1e6 / max(done, 1):8.1f} us per connection ({cpu / elapsed * 100:.0f}% of a core)")

    ok, elapsed, cpu = run_phase(a.pid, streamer, (address, 9000, a.mb), a.streams)
    total = a.mb * a.streams
    print(f"throughput:      {total / elapsed:8.0f} MB/s   ({a.streams} streams x {a.mb} MiB, all counted: {all(ok)})")
    print(f"  localcloud CPU: {cpu * 1000 / total:8.2f} ms per MiB ({cpu / elapsed * 100:.0f}% of a core)")
    print(f"localcloud resident memory after: {rss_mib(a.pid):.1f} MiB")
    for proc in procs:
        proc.terminate()

    if a.bin:
        # The same binary twice: once reading the state every 200 ms as the data plane's feed did
        # before it was event-driven, once as it runs now (woken by changes, 60 s safety resync).
        n = a.rest_balancers
        polled = at_rest(a.bin, 200, n, a.rest_seconds)
        evented = at_rest(a.bin, 60_000, n, a.rest_seconds)
        print(f"at rest, {n} active load balancers, {a.rest_seconds:.0f} s, health checks every 15 s:")
        print(f"  localcloud CPU, state polled every 200 ms (the former feed): {polled * 100:5.2f}% of a core")
        print(f"  localcloud CPU at rest with {n} active load balancers: {evented * 100:5.2f}% of a core "
              f"(event-driven, {polled / max(evented, 1e-9):.0f}x less)")


if __name__ == "__main__":
    main()
