#!/usr/bin/env python3
"""Runs every benchmark and writes docs/benchmarks.md: a table of the headline figures, then
each benchmark's exact command and full output, with the machine and the date, so any reader
can rerun them and compare.

    hack/bench [--only NAME[,NAME...]] [--out docs/benchmarks.md]

Benchmarks (each is also a script of its own under hack/): bench-rpc, bench-cloud,
bench-provision, bench-informer, bench-lb, bench-ccm. A benchmark that fails is reported as
failed in the document (with its output) and makes this script exit non-zero; the others
still run. Figures vary with the machine and its load: compare runs on the same machine.
"""
import argparse
import datetime
import os
import pathlib
import platform
import re
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]

# name → (command, what it measures, [(figure label, regex over the output, unit)])
BENCHMARKS = {
    "bench-rpc": (["hack/bench-rpc", "--seconds", "5"],
                  "gRPC layer: csi-node (release) answering GetPluginInfo to Python grpcio clients",
                  [("calls/s, 1 connection", r"^\s*1\s+(\d+)\s", "calls/s"),
                   ("calls/s, 8 connections", r"^\s*8\s+(\d+)\s", "calls/s"),
                   ("server CPU per call, 8 connections", r"^\s*8\s+\d+\s+([\d.]+)", "µs"),
                   ("csi-node idle RSS", r"idle RSS: ([\d.]+) MiB", "MiB"),
                   ("csi-node loaded RSS", r"loaded RSS: ([\d.]+) MiB", "MiB")]),
    "bench-cloud": (["hack/bench-cloud"],
                    "localcloud API server under concurrent HTTP clients, and API calls per volume flow",
                    [("GET req/s (debug build; BENCH_CONFIG=release for optimised)", r"localcloud GET[^:]*: ([\d,]+) req/s", "req/s"),
                     ("POST req/s (debug build)", r"localcloud POST[^:]*: ([\d,]+) req/s", "req/s")]),
    "bench-provision": (["hack/bench-provision"],
                        "CreateVolume + ControllerPublish throughput against the API rate limit",
                        [("API calls per volume", r"= ([\d.]+) per volume", "calls"),
                         ("throughput vs the API-limited optimum", r"= (\d+)% of the optimum", "%")]),
    "bench-informer": (["hack/bench-informer"],
                       "Kubernetes informer memory for 5,000 Nodes + 2,000 Services",
                       [("peak resident memory", r"peak resident \(VmHWM\)[^:]*: ([\d.]+) MiB", "MiB")]),
    "bench-lb": (["hack/bench-lb"],
                 "localcloud load-balancer data plane: one LB, two loopback targets",
                 [("new connections/s", r"new connections:\s+(\d+) conn/s", "conn/s"),
                  ("localcloud CPU per connection", r"CPU:\s+([\d.]+) us per connection", "µs"),
                  ("throughput", r"throughput:\s+(\d+) MB/s", "MB/s")]),
    "bench-ccm": (["hack/bench-ccm"],
                  "cloud-controller-manager at rest with 500 nodes and 200 LoadBalancer Services",
                  [("cloud API calls per node monitor period (5 s) at rest",
                    r"per node monitor period \(5s\): ([\d.]+) calls", "calls"),
                   ("cloud API calls per route period (10 s) at rest",
                    r"per route period \(10s\): ([\d.]+) calls", "calls"),
                   ("Service creation to ingress, mean", r"service → ingress: mean ([\d.]+)s", "s"),
                   ("500 tainted nodes initialized", r"500 nodes initialized in ([\d.]+)s", "s")]),
}


def machine():
    cpu = "unknown CPU"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kib = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()
    return (f"{os.cpu_count()} cores ({cpu}), {mem_kib / 2**20:.0f} GiB, Linux {platform.release()}, "
            f"{swift[0] if swift else 'swift ?'}")


def run(name, command):
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    output = (result.stdout + result.stderr).strip()
    # Build chatter is not a figure.
    lines = [line for line in output.splitlines()
             if not re.match(r"^(warning: 'swift-distributed-tracing'|\s+/.*CMakeLists.txt|\[\d+/\d+\] )", line)]
    return result.returncode, elapsed, "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="comma-separated benchmark names")
    parser.add_argument("--out", default="docs/benchmarks.md")
    args = parser.parse_args()
    names = args.only.split(",") if args.only else list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        raise SystemExit(f"bench: unknown benchmark(s) {unknown}; known: {', '.join(BENCHMARKS)}")

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    rows, sections, failed = [], [], []
    for name in names:
        command, what, figures = BENCHMARKS[name]
        if not (ROOT / command[0]).exists():
            rows.append((name, "—", "not in this checkout", ""))
            continue
        print(f"==> {' '.join(command)}", flush=True)
        code, elapsed, output = run(name, command)
        print(output, flush=True)
        if code != 0:
            failed.append(name)
        for label, pattern, unit in figures:
            match = re.search(pattern, output, re.MULTILINE)
            value = match.group(1) if match and code == 0 else ("failed" if code else "not printed")
            rows.append((name, label, value, unit))
        status = "" if code == 0 else f" — **failed (exit {code})**"
        sections.append(f"### {name}{status}\n\n{what}. Took {elapsed:.0f} s.\n\n"
                        f"```\n$ {' '.join(command)}\n{output}\n```\n")

    text = [
        "# Benchmarks",
        "",
        f"Generated by `hack/bench` on {date} at commit `{commit}`.",
        "",
        f"Machine: {machine()}. Shared and noisy: compare runs on one machine, not across machines.",
        "",
        "| benchmark | figure | value | unit |",
        "|---|---|---|---|",
        *[f"| {n} | {label} | {value} | {unit} |" for n, label, value, unit in rows],
        "",
        "Reference points: the Go CSI hostpath driver idles at about 12.5 MiB resident (the target "
        "for csi-node); no reference driver can be installed on this machine (no network beyond "
        "Debian and PyPI), so the figures stand alone.",
        "",
        "## Runs",
        "",
        *sections,
    ]
    out = ROOT / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(text))
    print(f"wrote {out.relative_to(ROOT)}" + (f"; failed: {', '.join(failed)}" if failed else ""))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
