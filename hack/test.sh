#!/usr/bin/env bash
# Sets up and runs every Mooring test on this machine:
#   1. installs what is missing (hack/install-deps.sh: apt packages, .venv with grpcio/pytest);
#   2. checks that committed generated code matches its generators (hack/generate/verify-generated.sh);
#   3. builds everything, including the tests (debug);
#   4. runs the Swift test suites (Swift Testing; privileged tests need root for loop devices);
#   5. runs the interop tests: independent peers (Python grpcio, HTTP clients) against the real
#      binaries over real sockets;
#   6. runs the RPC layer under valgrind: a few hundred calls, 0 bytes lost;
#   7. builds the CSI binaries in release mode, as shipped.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m==> [%s] %s\033[0m\n' "$(date +%H:%M:%S)" "$*"; }

step "1/9 installing dependencies"
hack/install-deps.sh

step "2/9 verifying generated code"
if [ -x hack/generate/verify-generated.sh ]; then
  hack/generate/verify-generated.sh
else
  echo "no generated code to verify"
fi

step "3/9 building (debug, with tests) — the first build compiles the Swift dependencies and takes minutes"
swift build --build-tests 2>&1 | grep -E --line-buffered '^\[[0-9]+/[0-9]+\] (Compiling|Linking)|error|warning: .*/(Sources|Tests)/|Build complete' \
  | awk '/Compiling/ { n++; if (n % 25 != 1) next } { print; fflush() }'
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "build failed" >&2; exit 1; }

step "4/9 Swift tests"
swift test --skip-build 2>&1 | grep -vE '^(◇|↳) ' | tail -n 200
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "Swift tests failed" >&2; exit 1; }

step "5/9 interop tests (Python peers against the real binaries)"
export MOORING_BIN_DIR
MOORING_BIN_DIR=$(swift build --show-bin-path)
.venv/bin/python -m pytest -q -p no:cacheprovider Tests/interop

step "6/9 short soaks on a faulty local cloud with kill -9 restarts: CSI volumes (hack/soak/soak), LoadBalancer Services through the CCM with a cloud outage (hack/soak/soak-ccm)"
if [ "$(id -u)" -eq 0 ]; then
  hack/soak/soak --volumes 16 --concurrency 4 --kill-every 3-6
else
  echo "skipped the CSI soak: it needs root (loop devices, mounts)"
fi
hack/soak/soak-ccm --services 12 --concurrency 4 --kill-every 4-8 --outage 15

step "7/9 short fuzzing runs (hack/check/fuzz.sh: libFuzzer + ASan; the first build instruments every dependency)"
hack/check/fuzz.sh "${MOORING_FUZZ_SECONDS:-30}"

step "8/9 valgrind leak check of the gRPC layer (hack/check/valgrind-rpc.sh)"
hack/check/valgrind-rpc.sh rpc-testserver

step "9/9 release build of the shipped binaries"
hack/release/build-release.sh csi-controller csi-node cloud-controller-manager localcloud

step "all tests passed"
