#!/usr/bin/env python3
"""Runs every benchmark and writes docs/benchmarks.md: a table of the headline figures, then
each benchmark's exact command and full output, with the machine and the date, so any reader
can rerun them and compare.

    hack/bench/bench [--only NAME[,NAME...]] [--out docs/benchmarks.md] [--reference-node PATH]
               [--reference-controller PATH]

With --only, the benchmarks not run keep their rows and runs from the existing document, each
marked with the date and commit it came from.

--reference-node names a CSI node plugin to measure csi-node against in the same run (hack/bench/bench-rpc
--reference), e.g. csi-driver-host-path v1.16.1's hostpathplugin built from its own sources outside
this repository. Without it the document says no peer was measured.

Benchmarks (each is also a script of its own under hack/): bench-rpc, bench-cloud,
bench-provision, bench-informer, bench-lb, bench-memory, bench-ccm. A benchmark that fails is reported as
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

ROOT = pathlib.Path(__file__).resolve().parents[2]

# name → (command, what it measures, [(figure label, regex over the output, unit[, peer regex,
# ratio regex])]); a peer figure is the same figure measured for the peer in the same run.
BENCHMARKS = {
    "bench-rpc": (["hack/bench/bench-rpc", "--seconds", "5"],
                  "gRPC layer: csi-node (release) answering GetPluginInfo to Python grpcio clients",
                  [("calls/s, 1 connection", r"^\s*1\s+(\d+)\s", "calls/s"),
                   ("calls/s, 8 connections", r"^\s*8\s+(\d+)\s", "calls/s"),
                   ("server CPU per call, 8 connections", r"^\s*8\s+\d+\s+([\d.]+)", "µs"),
                   ("csi-node idle RSS", r"idle RSS: ([\d.]+) MiB", "MiB"),
                   ("csi-node loaded RSS", r"loaded RSS: ([\d.]+) MiB", "MiB"),
                   *[(f"instructions per {m} call (callgrind, every thread)",
                      rf"^/csi\.v1\.\w+/{m}\s+(\d+) instructions/call", "instructions")
                     for m in ("GetPluginInfo", "NodeGetCapabilities")],
                   *[(f"server CPU per {m} call, 4 client processes", rf"^/csi\.v1\.\w+/{m}\s+([\d.]+)", "µs",
                      rf"^/csi\.v1\.\w+/{m}\s+[\d.]+\s+([\d.]+)", rf"^/csi\.v1\.\w+/{m}\s+[\d.]+\s+[\d.]+\s+([\d.]+)x")
                     for m in ("GetPluginInfo", "NodeGetCapabilities")],
                   *[(f"RSS {state}, side by side", rf"RSS {state}: csi-node ([\d.]+) MiB", "MiB",
                      rf"RSS {state}: csi-node [\d.]+ MiB, reference ([\d.]+) MiB", rf"RSS {state}: .*ratio ([\d.]+)x")
                     for state in ("idle", "loaded")]]),
    "bench-cloud": (["hack/bench/bench-cloud"],
                    "localcloud API server under concurrent HTTP clients, and API calls per volume flow",
                    [("GET req/s (debug build; BENCH_CONFIG=release for optimised)", r"localcloud GET[^:]*: ([\d,]+) req/s", "req/s"),
                     ("POST req/s (debug build)", r"localcloud POST[^:]*: ([\d,]+) req/s", "req/s")]),
    "bench-provision": (["hack/bench/bench-provision"],
                        "CreateVolume + ControllerPublish throughput against the API rate limit",
                        [("API calls per volume", r"= ([\d.]+) per volume", "calls"),
                         ("throughput vs the API-limited optimum", r"= (\d+)% of the optimum", "%")]),
    "bench-informer": (["hack/bench/bench-informer"],
                       "Kubernetes informer memory for 5,000 Nodes + 2,000 Services",
                       [("peak resident memory", r"peak resident \(VmHWM\)[^:]*: ([\d.]+) MiB", "MiB")]),
    "bench-lb": (["hack/bench/bench-lb"],
                 "localcloud load-balancer data plane: one LB, two loopback targets",
                 [("new connections/s", r"new connections:\s+(\d+) conn/s", "conn/s"),
                  ("localcloud CPU per connection", r"CPU:\s+([\d.]+) us per connection", "µs"),
                  ("throughput", r"throughput:\s+(\d+) MB/s", "MB/s"),
                  ("localcloud CPU at rest, 40 active LBs (event-driven data plane)",
                   r"CPU at rest with 40 active load balancers:\s+([\d.]+)%", "% of a core"),
                  ("localcloud CPU at rest, 40 active LBs, state polled every 200 ms (former design)",
                   r"polled every 200 ms \(the former feed\):\s+([\d.]+)%", "% of a core")]),
    "bench-memory": (["hack/bench/bench-memory"],
                     "idle resident memory of the release csi-controller and csi-node, and where the pages come from",
                     [("csi-controller idle RSS", r"^csi-controller idle RSS: ([\d.]+) MiB$", "MiB"),
                      ("csi-controller idle RSS, side by side", r"csi-controller idle RSS: ([\d.]+) MiB, reference", "MiB",
                       r"MiB, reference ([\d.]+) MiB, ratio", r"reference [\d.]+ MiB, ratio ([\d.]+)x"),
                      ("csi-node idle RSS", r"^csi-node idle RSS: ([\d.]+) MiB", "MiB")]),
    "bench-ccm": (["hack/bench/bench-ccm"],
                  "cloud-controller-manager at rest with 500 nodes and 200 LoadBalancer Services",
                  [("cloud API calls per node monitor period (5 s) at rest",
                    r"per node monitor period \(5s\): ([\d.]+) calls", "calls"),
                   ("cloud API calls per route period (10 s) at rest",
                    r"per route period \(10s\): ([\d.]+) calls", "calls"),
                   ("Service creation to ingress, mean", r"service → ingress: mean ([\d.]+)s", "s"),
                   ("500 tainted nodes initialized", r"500 nodes initialized in ([\d.]+)s", "s")]),
}

# Issue #18's goals, judged from this run's figures: (benchmark, figure label, "value" or
# "ratio", upper limit, what the goal says).
GOALS = [
    ("bench-rpc", "server CPU per GetPluginInfo call, 4 client processes", "ratio", 0.8,
     "csi-node server CPU per RPC ≤ 0.8× the reference (GetPluginInfo)"),
    ("bench-rpc", "server CPU per NodeGetCapabilities call, 4 client processes", "ratio", 0.8,
     "csi-node server CPU per RPC ≤ 0.8× the reference (NodeGetCapabilities)"),
    ("bench-rpc", "RSS idle, side by side", "ratio", 1.0, "csi-node idle RSS ≤ the reference"),
    ("bench-rpc", "RSS loaded, side by side", "ratio", 1.0, "csi-node loaded RSS ≤ the reference"),
    ("bench-memory", "csi-controller idle RSS", "value", 20.0, "csi-controller idle RSS ≤ 20 MiB"),
]


def goal_lines(rows):
    """One line per goal whose figure this run measured: met or not, with the figure."""
    lines = []
    for name, label, column, limit, goal in GOALS:
        row = next((r for r in rows if r[0] == name and r[1] == label), None)
        if not row:
            continue
        text = row[5] if column == "ratio" else row[2]
        try:
            figure_value = float(text.replace(",", ""))
        except ValueError:
            continue
        shown = f"{figure_value:.2f}×" if column == "ratio" else f"{figure_value:g} {row[3]}"
        lines.append(f"- {goal}: {'met' if figure_value <= limit else '**not met**'} ({shown} in this run)")
    return lines


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


def figure(pattern, output, code):
    match = re.search(pattern, output, re.MULTILINE)
    return match.group(1) if match and code == 0 else ("failed" if code else "not printed")


def keep_others(previous, text, names):
    """With --only: the benchmarks not run this time keep their rows and runs from the previous
    document, marked as from its run (its date and commit)."""
    header = re.search(r"Generated by `hack/bench/bench` on (.+?) at commit `(\w+)`", previous)
    origin = f"{header.group(1)}, `{header.group(2)}`" if header else "an earlier run"
    kept_rows, kept_sections = [], []
    for line in previous.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and cells[0] in BENCHMARKS and cells[0] not in names:
            cells = (cells + ["—", "—"])[:6]
            if "(from " not in cells[1]:
                cells[1] += f" (from {origin})"
            kept_rows.append("| " + " | ".join(cells) + " |")
    for section in re.split(r"(?m)^(?=### )", previous.split("\n## Runs\n", 1)[-1]):
        match = re.match(r"### ([\w-]+)", section)
        if match and match.group(1) not in names:
            note = "" if "(Kept from the run of " in section else f"\n\n(Kept from the run of {origin}.)"
            kept_sections.append(section.rstrip() + note + "\n")
    table_end = max(i for i, line in enumerate(text) if line.startswith("| "))
    return [*text[:table_end + 1], *kept_rows, *text[table_end + 1:], *kept_sections]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="comma-separated benchmark names")
    parser.add_argument("--out", default="docs/benchmarks.md")
    parser.add_argument("--reference-node", help="a CSI node plugin binary to compare csi-node with")
    parser.add_argument("--reference-controller", help="Vultr's CSI driver binary to compare csi-controller with")
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
        if name == "bench-rpc" and args.reference_node:
            command = [*command, "--reference", args.reference_node]
            what += f"; side by side with the reference node plugin {args.reference_node}"
        if name == "bench-memory" and args.reference_controller:
            command = [*command, "--reference-controller", args.reference_controller]
            what += f"; side by side with the reference controller {args.reference_controller}"
        if not (ROOT / command[0]).exists():
            rows.append((name, "—", "not in this checkout", "", "", ""))
            continue
        print(f"==> {' '.join(command)}", flush=True)
        code, elapsed, output = run(name, command)
        print(output, flush=True)
        if code != 0:
            failed.append(name)
        for label, pattern, unit, *peer in figures:
            value = figure(pattern, output, code)
            if peer and value == "not printed":
                continue  # a side-by-side figure of a run without its peer
            peer_value, ratio = (figure(peer[0], output, code), figure(peer[1], output, code)) if peer else ("—", "—")
            rows.append((name, label, value, unit, peer_value, ratio))
        status = "" if code == 0 else f" — **failed (exit {code})**"
        sections.append(f"### {name}{status}\n\n{what}. Took {elapsed:.0f} s.\n\n"
                        f"```\n$ {' '.join(command)}\n{output}\n```\n")

    text = [
        "# Benchmarks",
        "",
        f"Generated by `hack/bench/bench` on {date} at commit `{commit}`.",
        "",
        f"Machine: {machine()}. Shared and noisy: compare runs on one machine, not across machines.",
        "",
        "| benchmark | figure | value | unit | peer (same run) | ratio |",
        "|---|---|---|---|---|---|",
        *[f"| {n} | {label} | {value} | {unit} | {peer} | {ratio} |" for n, label, value, unit, peer, ratio in rows],
        "",
        (f"Peer: csi-node is measured side by side with `{args.reference_node}` in the same bench-rpc run "
         "(a ratio below 1 means Mooring uses less)." if args.reference_node else
         "Peer: none given (`hack/bench/bench --reference-node PATH`), so csi-node's figures stand alone."),
        "",
        (f"Peer: csi-controller is measured side by side with `{args.reference_controller}` (Vultr's driver, "
         "both services in one Go binary) in the same bench-memory run." if args.reference_controller else
         "Peer: no controller given (`hack/bench/bench --reference-controller PATH`), so csi-controller's figures stand alone."),
        "",
        *(["Goals of issue #18, from this run's figures:", "", *goal_lines(rows), ""] if goal_lines(rows) else []),
        "## Runs",
        "",
        *sections,
    ]
    out = ROOT / args.out
    if args.only and out.exists():
        text = keep_others(out.read_text(), text, names)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(text))
    print(f"wrote {out.relative_to(ROOT)}" + (f"; failed: {', '.join(failed)}" if failed else ""))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
