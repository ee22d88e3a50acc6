/* Umbrella header of the CSIProtoC module: the protobuf-c code generated from proto/csi.proto
 * by hack/generate/update-generated.sh (the well-known-type headers come in through csi.pb-c.h). */
#ifndef CSIPROTOC_H
#define CSIPROTOC_H

#include "csi.pb-c.h"

#endif
