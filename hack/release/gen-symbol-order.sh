#!/usr/bin/env bash
# Regenerates hack/release/symbol-order.txt, the function order of the release link (Package.swift,
# leanLink: lld --symbol-ordering-file). It lists every function of csi-node and csi-controller
# that runs while they start, sit idle and answer the Identity/Node/Controller calls a cluster
# makes all day, as callgrind saw them (mangled names, first seen first). lld then places those
# functions side by side at the start of .text, so the pages a serving process touches are few
# and contiguous instead of scattered over the 12–18 MB of code (each touched page also maps its
# neighbours). Measured (hack/bench/bench-memory): idle RSS csi-controller 23.4 → 19.0 MiB, csi-node
# 17.7 → 15.9 MiB. A stale list is harmless (unknown names are ignored; new code just lands
# after the listed functions): regenerate after larger changes to the start-up path.
#
#   hack/release/gen-symbol-order.sh        (needs valgrind and .venv; builds both plugins for release)
set -euo pipefail
cd "$(dirname "$0")/../.."
hack/install-deps.sh >/dev/null
hack/release/build-release.sh csi-node csi-controller >/dev/null
bin=$(hack/release/build-release.sh --bin-path)
dir=$(mktemp -d /tmp/mooring-symbol-order.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/calls.py" <<'PY'
import sys, grpc
target, n = sys.argv[1], int(sys.argv[2])
methods = ["/csi.v1.Identity/GetPluginInfo", "/csi.v1.Identity/GetPluginCapabilities", "/csi.v1.Identity/Probe",
           "/csi.v1.Node/NodeGetCapabilities", "/csi.v1.Node/NodeGetInfo",
           "/csi.v1.Controller/ControllerGetCapabilities"]
with grpc.insecure_channel(target) as ch:
    for method in methods:
        for _ in range(n):
            try:
                ch.unary_unary(method)(b"", timeout=30)
            except grpc.RpcError:
                pass  # the other plugin's methods answer UNIMPLEMENTED; that path runs too
PY
cat >"$dir/functions.py" <<'PY'
"""Functions of one object (the executable) in callgrind files, mangled, in first-seen order."""
import re, sys
executable, seen, names, objects, current = sys.argv[1], set(), {}, {}, None
for path in sys.argv[2:]:
    for line in open(path, errors="replace"):
        key, _, value = line.rstrip("\n").partition("=")
        if key not in ("ob", "cob", "fn", "cfn"):
            continue
        match = re.match(r"\((\d+)\)(?: (.*))?", value)
        if not match:
            continue
        table = objects if key in ("ob", "cob") else names
        if match.group(2):
            table[match.group(1)] = match.group(2)
        if key == "ob":
            current = objects[match.group(1)]
        elif key == "fn" and current and current.endswith("/" + executable):
            name = re.sub(r"'\d+$", "", names[match.group(1)])
            if not name.startswith("0x") and name not in seen:
                seen.add(name)
                print(name)
PY
echo key >"$dir/key"
for plugin in csi-node csi-controller; do
  # valgrind 3.19 cannot read the DWARF 5 of a Swift 6 build: profile a copy without debug info.
  objcopy --strip-debug "$bin/$plugin" "$dir/$plugin"
  case $plugin in
    csi-node) args=(--endpoint "unix://$dir/$plugin.sock" --node-id order-node --region ewr) ;;
    csi-controller) args=(--endpoint "unix://$dir/$plugin.sock" --api-url http://127.0.0.1:9 --api-key-file "$dir/key" --region ewr) ;;
  esac
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$dir/$plugin.callgrind" "$dir/$plugin" "${args[@]}" \
    >"$dir/$plugin.log" 2>&1 &
  pid=$!
  for _ in $(seq 300); do [ -S "$dir/$plugin.sock" ] && break; sleep 0.2; done
  [ -S "$dir/$plugin.sock" ] || { echo "$plugin did not start under valgrind"; cat "$dir/$plugin.log"; exit 1; }
  sleep 3  # idle: timers and background threads run too
  .venv/bin/python "$dir/calls.py" "unix://$dir/$plugin.sock" 20
  kill -TERM $pid
  wait $pid || true
  .venv/bin/python "$dir/functions.py" "$plugin" "$dir/$plugin.callgrind"* >"$dir/$plugin.order"
done
cat "$dir/csi-node.order" "$dir/csi-controller.order" | awk '!seen[$0]++' >hack/release/symbol-order.txt
echo "hack/release/symbol-order.txt: $(wc -l <hack/release/symbol-order.txt) functions"
