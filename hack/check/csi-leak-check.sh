#!/usr/bin/env bash
# Runs hack/check/csi-leak-check.swift (every CSI codec path, in a loop) under valgrind and fails on any
# leak or memory error. Builds the CSI module into .build-valgrind with DWARF 4, which is what
# valgrind 3.19 can read. Usage: hack/check/csi-leak-check.sh [ITERATIONS]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=.build-valgrind
DWARF=(-Xcc -gdwarf-4 -Xswiftc -dwarf-version=4)
swift build -j 2 --build-path "$BUILD" --target CSI "${DWARF[@]}"
BIN=$(swift build --build-path "$BUILD" --show-bin-path)
objects=("$BIN"/CSI.build/*.o "$BIN"/CSIProtoC.build/*.o "$BIN"/CSIProtoC.build/google/protobuf/*.o)
swiftc -g -dwarf-version=4 -Onone -I "$BIN/Modules" -Xcc -fmodule-map-file=Sources/CSIProtoC/include/module.modulemap \
  -Xcc -ISources/CSIProtoC/include hack/check/csi-leak-check.swift "${objects[@]}" -lprotobuf-c \
  -o "$BUILD/csi-leak-check"
valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect \
  --errors-for-leak-kinds=definite,indirect --error-exitcode=1 \
  "$BUILD/csi-leak-check" "${1:-500}"
