#!/usr/bin/env bash
# Regenerates everything derived from proto/csi.proto, deterministically:
#   Sources/CSIProtoC/**/*.pb-c.{c,h}      protoc-c output for csi.proto and the well-known types it
#                                          imports (protobuf-c ships none of them compiled)
#   Sources/CSI/Generated/*.swift          Swift value types and codecs (hack/generate/gen-swift-csi.py)
#   Tests/CSITests/Fixtures/*.bin          golden vectors from Python protobuf (hack/generate/gen-csi-fixtures.py)
#
# Usage: hack/generate/update-generated.sh [OUTPUT_ROOT]   (default: this checkout; verify-generated.sh
# passes a temp dir). Needs protoc, protoc-c and the .venv from hack/install-deps.sh.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$SRC}
PY=${MOORING_VENV:-$SRC/.venv}/bin/python
[ -x "$PY" ] || { echo "update-generated: $PY missing; run hack/install-deps.sh" >&2; exit 1; }

WKT=(google/protobuf/descriptor.proto google/protobuf/timestamp.proto google/protobuf/wrappers.proto)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# protobuf-c: sources beside the target, headers under include/ (the C target's public header
# directory is on the include path, so `#include "google/protobuf/…pb-c.h"` resolves there).
mkdir -p "$work/c"
(cd "$work" && protoc-c -I/usr/include -I"$SRC/proto" --c_out=c csi.proto "${WKT[@]}")
C_OUT=$OUT/Sources/CSIProtoC
find "$C_OUT" \( -name '*.pb-c.c' -o -name '*.pb-c.h' \) -delete 2>/dev/null || true
mkdir -p "$C_OUT/include/google/protobuf" "$C_OUT/google/protobuf"
for f in csi "${WKT[@]%.proto}"; do
  cp "$work/c/$f.pb-c.c" "$C_OUT/$f.pb-c.c"
  cp "$work/c/$f.pb-c.h" "$C_OUT/include/$f.pb-c.h"
done

# Swift value types and codecs, from a descriptor set of the same file.
protoc -I/usr/include -I"$SRC/proto" --include_imports --include_source_info \
  --descriptor_set_out="$work/csi.desc" csi.proto
SWIFT_OUT=$OUT/Sources/CSI/Generated
rm -rf "$SWIFT_OUT"
"$PY" "$SRC/hack/generate/gen-swift-csi.py" "$work/csi.desc" "$C_OUT/include/csi.pb-c.h" "$SWIFT_OUT"

# Golden vectors from an independent encoder (Python protobuf).
FIX_OUT=$OUT/Tests/CSITests/Fixtures
rm -rf "$FIX_OUT"
"$PY" "$SRC/hack/generate/gen-csi-fixtures.py" "$SRC/proto" "$FIX_OUT"
