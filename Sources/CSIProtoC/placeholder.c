/* Replaced by generated protobuf-c code (hack/update-generated.sh). */
