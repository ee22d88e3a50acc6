// Exercises every CSI codec path in a loop, for hack/check/csi-leak-check.sh to run under valgrind:
// encoding (arena allocations), decoding (protobuf-c unpack + free_unpacked), and the error paths
// (malformed bytes, invalid UTF-8 found after unpacking).
import CSI

let capability = VolumeCapability(
    accessType: .mount(.init(fsType: "ext4", mountFlags: ["noatime", "discard"], volumeMountGroup: "1")),
    accessMode: .init(mode: .unrecognized(42)))
let request = CreateVolumeRequest(
    name: "pvc-ä", capacityRange: .init(requiredBytes: 1 << 30, limitBytes: 2 << 30),
    volumeCapabilities: [capability, .init(accessType: .block(.init()), accessMode: .init(mode: .singleNodeWriter))],
    parameters: ["a": "1", "b": "2"], secrets: ["s": "x"],
    volumeContentSource: .init(type: .snapshot(.init(snapshotId: "snap"))),
    accessibilityRequirements: .init(requisite: [.init(segments: ["zone": "a"])], preferred: [.init()]),
    mutableParameters: ["m": "n"])
let snapshots = ListSnapshotsResponse(entries: [
    .init(snapshot: .init(sizeBytes: 1, snapshotId: "s", creationTime: Timestamp(seconds: 1, nanos: 2))),
    .init(),
], nextToken: "t")
let capacity = GetCapacityResponse(availableCapacity: 5, maximumVolumeSize: 0, minimumVolumeSize: nil)
let malformed: [[UInt8]] = [[0x08, 0x80], [0x0A, 0x05, 0x61], [0x12, 0x02, 0x08, 0x80], [0x0D, 1, 2, 3, 4]]
let badUTF8: [UInt8] = [0x1A, 0x0A, 0x12, 0x08, 0x0A, 0x02, 0x61, 0xFF, 0x12, 0x02, 0x6F, 0x6B]

let iterations = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1])! : 500
var failures = 0
for _ in 0..<iterations {
    if (try? CreateVolumeRequest(serializedBytes: request.serializedBytes())) != request { failures += 1 }
    if (try? ListSnapshotsResponse(serializedBytes: snapshots.serializedBytes())) != snapshots { failures += 1 }
    if (try? GetCapacityResponse(serializedBytes: capacity.serializedBytes())) != capacity { failures += 1 }
    if (try? VolumeCapability(serializedBytes: capability.serializedBytes())) != capability { failures += 1 }
    for bytes in malformed where (try? CreateVolumeRequest(serializedBytes: bytes)) != nil { failures += 1 }
    if (try? CreateVolumeRequest(serializedBytes: badUTF8)) != nil { failures += 1 }
}
print("csi-leak-check: \(iterations) iterations, \(failures) failures")
if failures > 0 { fatalError("round trips failed") }
