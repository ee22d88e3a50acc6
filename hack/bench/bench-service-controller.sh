#!/usr/bin/env bash
# Prints the service controller's cloud calls per resync round at rest with 500 nodes and 200
# LoadBalancer Services (override with MOORING_SCALE_NODES / MOORING_SCALE_SERVICES), against the
# in-process local cloud and Kubernetes stand-in.
set -euo pipefail
cd "$(dirname "$0")/../.."
MOORING_SCALE=1 swift test --filter ServiceScaleTests 2>&1 | grep -E '^scale:|✘|✔ Test cloudCalls'
