#!/usr/bin/env bash
# Fails when the committed generated code (protobuf-c sources, Swift codecs, golden vectors) is not
# what hack/generate/update-generated.sh makes from proto/csi.proto today, naming every stale file.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
GENERATED=(Sources/CSIProtoC Sources/CSI/Generated Tests/CSITests/Fixtures)

fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
# Seed the temp tree with the hand-written files living beside generated ones (umbrella header,
# module map), so only generated files can differ.
for d in "${GENERATED[@]}"; do
  mkdir -p "$fresh/$d"
  [ -d "$SRC/$d" ] && (cd "$SRC/$d" && find . -type f ! -name '*.pb-c.[ch]' ! -path './*.swift' \
    ! -name '*.bin' -exec cp --parents {} "$fresh/$d/" \;)
done
"$SRC/hack/generate/update-generated.sh" "$fresh"

stale=()
for d in "${GENERATED[@]}"; do
  while IFS= read -r f; do
    [ -n "$f" ] && stale+=("$f")
  done < <(cd "$SRC" && { (cd "$SRC/$d" 2>/dev/null && find . -type f) ; (cd "$fresh/$d" && find . -type f); } \
             | sort -u | while IFS= read -r rel; do
                 a="$SRC/$d/${rel#./}"; b="$fresh/$d/${rel#./}"
                 if [ ! -f "$a" ]; then echo "$d/${rel#./} (missing)"
                 elif [ ! -f "$b" ]; then echo "$d/${rel#./} (not generated any more)"
                 elif ! cmp -s "$a" "$b"; then echo "$d/${rel#./} (differs)"
                 fi
               done)
done

if [ ${#stale[@]} -gt 0 ]; then
  echo "verify-generated: stale generated files; run hack/generate/update-generated.sh:" >&2
  printf '  %s\n' "${stale[@]}" >&2
  exit 1
fi
echo "verify-generated: up to date"
