#!/usr/bin/env bash
# Regenerates docs/annotations.md from Sources/CloudController/Annotations/LoadBalancerAnnotations.swift.
# CI runs the same test without MOORING_UPDATE_DOCS and fails when the committed file differs.
set -euo pipefail
cd "$(dirname "$0")/../.."
MOORING_UPDATE_DOCS=1 swift test --filter 'AnnotationTests/committedDocumentationMatchesTheDeclarations'
git --no-pager diff --stat -- docs/annotations.md
