#!/usr/bin/env bash
# Fuzzes what Mooring reads from others: CSI messages (protobuf-c + the Swift codecs), cloud API
# responses and headers, and Kubernetes watch streams (frame splitting + the JSON parser).
#
# Usage: hack/check/fuzz.sh [SECONDS] [TARGET...]
#   SECONDS   how long each target fuzzes (default 60); CI runs a short bound, see hack/test.sh
#   TARGET    csi-messages | cloud-responses | watch-stream (default: all three)
#
# Builds the targets in Fuzz/ optimised (-c release: 2-20x the inputs/s of a debug build, see
# docs/reliability.md) with libFuzzer and AddressSanitizer into .build-fuzz (the first build
# compiles the dependencies again, instrumented: many minutes), replays every saved regression
# input in Fuzz/regressions/TARGET/, then fuzzes from the seed corpus (Fuzz/corpus/TARGET/, and
# the CSI golden vectors in Tests/CSITests/Fixtures/). Prints each target's inputs/s. New corpus
# entries go to .fuzz-corpus/TARGET/ (ignored by git; reused by the next local run). A crash, a
# hang (> 10 s per input) or a leak fails the run; the input that did it is kept in
# .fuzz-artifacts/TARGET/ — add it to Fuzz/regressions/TARGET/ with the fix, and a unit test for
# the behaviour.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(csi-messages cloud-responses watch-stream)

flags=(--build-path .build-fuzz -c release
       -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
       -Xcc -fsanitize=fuzzer-no-link,address
       # gold aborts on the sanitizer runtime's debug info; the toolchain's lld links it.
       -Xswiftc -use-ld=lld)

for target in "${targets[@]}"; do
  case $target in
    csi-messages|cloud-responses|watch-stream) ;;
    *) echo "fuzz: unknown target '$target' (csi-messages, cloud-responses, watch-stream)" >&2; exit 2 ;;
  esac
  echo "==> building fuzz-$target (release, libFuzzer + ASan, .build-fuzz)"
  MOORING_FUZZ=1 swift build "${flags[@]}" --product "fuzz-$target" 2>&1 \
    | grep -E --line-buffered 'error|warning: .*/(Sources|Fuzz)/|Build of product' || true
  bin=$(MOORING_FUZZ=1 swift build "${flags[@]}" --show-bin-path)/fuzz-$target
  [ -x "$bin" ] || { echo "fuzz: build of fuzz-$target failed" >&2; exit 1; }

  artifacts=.fuzz-artifacts/$target/
  corpus=.fuzz-corpus/$target
  mkdir -p "$artifacts" "$corpus"
  common=(-rss_limit_mb=2048 -timeout=10 -artifact_prefix="$artifacts" -print_final_stats=1)

  regressions=(Fuzz/regressions/$target/*)
  if [ -e "${regressions[0]}" ]; then
    echo "==> replaying ${#regressions[@]} regression input(s) for $target"
    if ! replay=$("$bin" "${common[@]}" "${regressions[@]}" 2>&1); then
      echo "$replay" | tail -n 40 >&2
      echo "fuzz: a regression input of $target fails again" >&2
      exit 1
    fi
  fi

  seeds=(Fuzz/corpus/$target)
  [ "$target" = csi-messages ] && seeds+=(Tests/CSITests/Fixtures)
  echo "==> fuzzing $target for ${seconds}s (seeds: ${seeds[*]})"
  log=$(mktemp)
  status=0
  "$bin" "${common[@]}" -max_total_time="$seconds" "$corpus" "${seeds[@]}" >"$log" 2>&1 || status=$?
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|==[0-9]+==|SUMMARY)|Test unit written' "$log" || true
  rate=$(grep -oE 'DONE .*exec/s: [0-9]+' "$log" | grep -oE '[0-9]+$' || true)
  echo "fuzz: $target ran ${rate:-?} inputs/s"
  if [ "$status" -ne 0 ]; then
    tail -n 60 "$log" >&2
    echo "fuzz: $target failed (exit $status); the input is kept in $artifacts" >&2
    ls -l "$artifacts" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
done
echo "fuzz: no crash, hang or leak in ${targets[*]} (${seconds}s each)"
