"""Load driver for hack/bench-lb: backends, clients and the figures. Run through hack/bench-lb."""
import argparse
import asyncio
import json
import multiprocessing
import os
import socket
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


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--api")
    p.add_argument("--pid", type=int)
    p.add_argument("--seconds", type=float)
    p.add_argument("--clients", type=int)
    p.add_argument("--streams", type=int)
    p.add_argument("--mb", type=int)
    p.add_argument("--config")
    a = p.parse_args()

    for _ in range(200):
        try:
            urllib.request.urlopen(a.api + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.05)
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
    for _ in range(200):
        try:
            socket.create_connection((address, 9000), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)

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


if __name__ == "__main__":
    main()
