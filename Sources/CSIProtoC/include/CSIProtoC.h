/* Umbrella header: generated protobuf-c headers for proto/csi.proto (see hack/update-generated.sh). */
