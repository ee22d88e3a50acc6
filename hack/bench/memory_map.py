"""Where a process's resident pages come from: /proc/PID/smaps summed per mapping (the
executable, each shared library, heap, thread stacks, other anonymous memory), split into
file-backed clean pages (shared with the page cache, dropped under pressure) and dirty or
anonymous pages (the process's own). Used by hack/bench/bench-memory; also on its own:

    python3 hack/bench/memory_map.py PID [--top N]
"""
import argparse
import collections
import os


def mappings(pid):
    """[(name, {field: kB})] per mapping, from /proc/PID/smaps."""
    out, current = [], None
    for line in open(f"/proc/{pid}/smaps"):
        parts = line.split()
        if "-" in parts[0] and len(parts) >= 5 and ":" in parts[3]:
            name = parts[5] if len(parts) > 5 else "[anon]"
            current = (name, collections.Counter())
            out.append(current)
        elif parts[0].endswith(":") and len(parts) >= 2 and parts[1].isdigit():
            current[1][parts[0][:-1]] += int(parts[1])
    return out


def summary(pid):
    """{group: Counter(Rss, Private_Dirty, Anonymous, ...)} with thread stacks apart: anonymous
    mappings preceded by a guard page are counted as [stacks]."""
    groups = collections.defaultdict(collections.Counter)
    maps = mappings(pid)
    for index, (name, fields) in enumerate(maps):
        group = os.path.basename(name) if name.startswith("/") else name
        if name == "[anon]" and index > 0 and maps[index - 1][1]["Rss"] == 0 and maps[index - 1][1]["Size"] <= 4:
            group = "[thread stacks]"
        groups[group].update(fields)
    return groups


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("pid", type=int)
    ap.add_argument("--top", type=int, default=8)
    args = ap.parse_args()
    groups = summary(args.pid)
    total = sum(g["Rss"] for g in groups.values())
    own = sum(g["Private_Dirty"] for g in groups.values())
    threads = len(os.listdir(f"/proc/{args.pid}/task"))
    libraries = sum(1 for name in groups if ".so" in name)
    print(f"  RSS {total / 1024:.1f} MiB in {len(groups)} groups of mappings ({libraries} shared libraries, "
          f"{threads} threads); private dirty {own / 1024:.1f} MiB")
    for name, g in sorted(groups.items(), key=lambda kv: -kv[1]["Rss"])[:args.top]:
        print(f"    {g['Rss'] / 1024:6.2f} MiB  {name:<28} (private dirty {g['Private_Dirty'] / 1024:.2f} MiB)")
    so = [g for name, g in groups.items() if ".so" in name]
    print(f"    {sum(g['Rss'] for g in so) / 1024:6.2f} MiB  all shared libraries together "
          f"(private dirty {sum(g['Private_Dirty'] for g in so) / 1024:.2f} MiB)")


if __name__ == "__main__":
    main()
