#!/usr/bin/env bash
# Leak check: runs a Mooring gRPC server under `valgrind --leak-check=full`, drives a few hundred
# calls through it from Python grpcio (successes, handler errors, unknown methods, garbage bytes,
# deadlines, client cancellations), stops it with SIGTERM and requires "definitely lost: 0 bytes".
#
#   hack/check/valgrind-rpc.sh [rpc-testserver|csi-node|csi-controller]     (default: rpc-testserver)
#
# Valgrind 3.19 cannot read Swift 6.3's default DWARF 5, hence -gdwarf-4 / -dwarf-version=4.
# hack/check/valgrind/sigsuspend-shim.c works around a valgrind crash in libdispatch's dispatch_main
# (see the file); hack/check/valgrind/swift.supp names the runtime's "possibly lost" memory owned at exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
server=${1:-rpc-testserver}
hack/install-deps.sh >/dev/null
scratch=.build-valgrind
echo "building $server with DWARF 4 debug info ($scratch)…"
swift build -c release --scratch-path "$scratch" --product "$server" \
  -Xcc -gdwarf-4 -Xswiftc -g -Xswiftc -dwarf-version=4 2>&1 | grep -E 'error|Build complete' || true
bin=$(swift build -c release --scratch-path "$scratch" --show-bin-path)
cc -O2 -shared -fPIC hack/check/valgrind/sigsuspend-shim.c -o "$scratch/sigsuspend-shim.so" -ldl

dir=$(mktemp -d /tmp/mooring-valgrind.XXXXXX)
sock=$dir/csi.sock
case "$server" in
  rpc-testserver) args=(--endpoint "unix://$sock") ;;
  csi-node) args=(--endpoint "unix://$sock" --node-id valgrind-node --region valgrind-region) ;;
  csi-controller) args=(--endpoint "unix://$sock" --api-url http://127.0.0.1:9) ;;
  *) echo "unknown server $server" >&2; exit 2 ;;
esac
LD_PRELOAD=$PWD/$scratch/sigsuspend-shim.so valgrind --leak-check=full --errors-for-leak-kinds=definite,possible \
  --suppressions=hack/check/valgrind/swift.supp --log-file="$dir/valgrind.log" \
  "$bin/$server" "${args[@]}" >"$dir/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 600); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { echo "server did not start under valgrind"; cat "$dir/server.log"; exit 1; }

.venv/bin/python - "$sock" "$server" <<'PY'
import sys, time, grpc
sock, server = sys.argv[1], sys.argv[2]
ch = grpc.insecure_channel(f"unix://{sock}")
if server == "rpc-testserver":
    ok, fail = "/mooring.test.Test/Echo", "/mooring.test.Test/Fail"
    ok_payload, fail_payload = b"x" * 1000, b"5 not found"
    slow, slow_payload = "/mooring.test.Test/Sleep", b"5000"
else:
    ok, fail = "/csi.v1.Identity/GetPluginInfo", "/csi.v1.Identity/GetPluginInfo"
    ok_payload, fail_payload = b"", b"\xff\xff\xff\xff\x0f"
    slow, slow_payload = None, None
counts = {"ok": 0, "error": 0}
def attempt(method, payload, timeout=30):
    try:
        ch.unary_unary(method)(payload, timeout=timeout); counts["ok"] += 1
    except grpc.RpcError:
        counts["error"] += 1
for i in range(300):
    attempt(ok, ok_payload)
for i in range(50):
    attempt(fail, fail_payload)
    attempt("/no.Such/Method", b"")
if slow:
    for i in range(10):
        attempt(slow, slow_payload, timeout=0.2)
    for i in range(5):
        f = ch.unary_unary(slow).future(slow_payload); time.sleep(0.1); f.cancel()
print(f"calls: {counts['ok']} succeeded, {counts['error']} failed as intended")
ch.close()
PY
sleep 1
kill -TERM $pid
wait $pid || true
grep -E "definitely lost|indirectly lost|possibly lost|ERROR SUMMARY" "$dir/valgrind.log" | sed 's/^==[0-9]*== //'
grep -q "ERROR SUMMARY" "$dir/valgrind.log" || { echo "valgrind did not finish:"; tail -n 30 "$dir/valgrind.log"; exit 1; }
if grep -qE "(definitely|possibly) lost: [1-9]" "$dir/valgrind.log"; then
  grep -B 2 -A 30 "lost in loss record" "$dir/valgrind.log" | head -120
  echo "LEAK: valgrind found lost bytes"; exit 1
fi
echo "no leaks: 0 bytes definitely or possibly lost"
