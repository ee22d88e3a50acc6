"""Unary-call throughput, server CPU per call and resident memory of a Mooring gRPC server,
and, given a reference server (another CSI node plugin), both side by side in one run.

Driven by hack/bench/bench-rpc; the load comes from Python grpcio (an independent implementation)
in separate processes, one HTTP/2 connection each, so the client side is not one GIL.
"""
import argparse
import multiprocessing as mp
import os
import time

import grpc

TICKS = os.sysconf("SC_CLK_TCK")


def proc_cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def rss_kib(pid: int, key="VmRSS") -> int:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def worker(target, method, payload, seconds, start_at, results):
    opts = [("grpc.use_local_subchannel_pool", 1)]  # one connection per worker process
    with grpc.insecure_channel(target, options=opts) as ch:
        call = ch.unary_unary(method)
        try:
            call(payload, timeout=10)
        except grpc.RpcError as error:
            results.put(f"{method} on {target}: {error.code().name} {error.details()}")
            return
        while time.time() < start_at:
            time.sleep(0.001)
        n = 0
        latencies = []
        end = start_at + seconds
        while True:
            t0 = time.perf_counter()
            call(payload, timeout=10)
            latencies.append(time.perf_counter() - t0)
            n += 1
            if time.time() >= end:
                break
        results.put((n, latencies))


def run(target, method, payload, connections, seconds, pid):
    results = mp.Queue()
    start_at = time.time() + 1.0
    procs = [mp.Process(target=worker, args=(target, method, payload, seconds, start_at, results))
             for _ in range(connections)]
    for p in procs:
        p.start()
    while time.time() < start_at:
        time.sleep(0.005)
    cpu0 = proc_cpu_seconds(pid)
    t0 = time.time()
    collected = [results.get(timeout=seconds + 60) for _ in procs]
    failures = [c for c in collected if isinstance(c, str)]
    if failures:
        raise SystemExit(f"the server refused the benchmark's call: {failures[0]}")
    elapsed = time.time() - t0
    cpu1 = proc_cpu_seconds(pid)
    for p in procs:
        p.join()
    calls = sum(n for n, _ in collected)
    lat = sorted(x for _, xs in collected for x in xs)
    return {
        "calls": calls,
        "calls_per_s": calls / elapsed,
        "server_cpu_us_per_call": (cpu1 - cpu0) / calls * 1e6,
        "p50_ms": lat[len(lat) // 2] * 1e3,
        "p99_ms": lat[int(len(lat) * 0.99)] * 1e3,
    }


COMPARED = ["/csi.v1.Identity/GetPluginInfo", "/csi.v1.Node/NodeGetCapabilities"]


def compare(args):
    """Mooring's server and the reference, the same load on each in turn (two rounds, interleaved,
    the lower CPU per call of each kept), for each method in COMPARED."""
    servers = {"mooring": (args.target, args.pid), "reference": (args.reference_target, args.reference_pid)}
    idle = {name: rss_kib(pid) for name, (_, pid) in servers.items()}
    best = {}
    for method in COMPARED:
        for _ in range(2):
            for name, (target, pid) in servers.items():
                r = run(target, method, b"", args.clients, args.seconds, pid)
                key = (name, method)
                if key not in best or r["server_cpu_us_per_call"] < best[key]["server_cpu_us_per_call"]:
                    best[key] = r
    loaded = {name: rss_kib(pid) for name, (_, pid) in servers.items()}
    print(f"side by side: {args.clients} client processes, {args.seconds:.0f} s per run, best of 2 interleaved runs")
    print(f"{'method':<36} {'csi-node µs/call':>16} {'reference µs/call':>17} {'ratio':>6} "
          f"{'csi-node calls/s':>16} {'reference calls/s':>17}")
    for method in COMPARED:
        m, r = best[("mooring", method)], best[("reference", method)]
        ratio = m["server_cpu_us_per_call"] / r["server_cpu_us_per_call"]
        print(f"{method:<36} {m['server_cpu_us_per_call']:>16.1f} {r['server_cpu_us_per_call']:>17.1f} "
              f"{ratio:>5.2f}x {m['calls_per_s']:>16.0f} {r['calls_per_s']:>17.0f}")
        print(f"server CPU per RPC ratio {method.rsplit('/', 1)[1]}: {ratio:.2f}x the reference")
    for label, figures in (("idle", idle), ("loaded", loaded)):
        ratio = figures["mooring"] / figures["reference"]
        print(f"RSS {label}: csi-node {figures['mooring'] / 1024:.1f} MiB, reference "
              f"{figures['reference'] / 1024:.1f} MiB, ratio {ratio:.2f}x")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", required=True)
    ap.add_argument("--method", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--reference-target")
    ap.add_argument("--reference-pid", type=int)
    ap.add_argument("--clients", type=int, default=4)
    args = ap.parse_args()

    idle = rss_kib(args.pid)
    if args.reference_target:
        compare(args)
        print()
    print(f"idle RSS: {idle / 1024:.1f} MiB")
    print(f"{'connections':>11} {'calls/s':>9} {'server CPU µs/call':>19} {'p50 ms':>7} {'p99 ms':>7}")
    for connections in (1, 8):
        r = run(args.target, args.method, b"", connections, args.seconds, args.pid)
        print(f"{connections:>11} {r['calls_per_s']:>9.0f} {r['server_cpu_us_per_call']:>19.1f} "
              f"{r['p50_ms']:>7.3f} {r['p99_ms']:>7.3f}")
    print(f"loaded RSS: {rss_kib(args.pid) / 1024:.1f} MiB (peak {rss_kib(args.pid, 'VmHWM') / 1024:.1f} MiB)")


if __name__ == "__main__":
    main()
