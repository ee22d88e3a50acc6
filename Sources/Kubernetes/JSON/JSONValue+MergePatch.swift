/// JSON merge patch (RFC 7386): applying one, and computing the patch between two documents.
extension JSONValue {
    /// Applies `patch` to `self` as RFC 7386 describes: objects merge member by member, `null`
    /// removes a member, anything else replaces the target wholesale.
    public func applyingMergePatch(_ patch: JSONValue) -> JSONValue {
        guard case .object(let patchObject) = patch else { return patch }
        var result = objectValue ?? [:]
        for (key, value) in patchObject {
            if value == .null {
                result.removeValue(forKey: key)
            } else {
                result[key] = (result[key] ?? .null).applyingMergePatch(value)
            }
        }
        return .object(result)
    }

    /// The smallest merge patch that turns `original` into `modified`, or `nil` when they are equal.
    /// Arrays are replaced whole, as merge patches require.
    public static func mergePatch(from original: JSONValue, to modified: JSONValue) -> JSONValue? {
        if original == modified { return nil }
        guard case .object(let old) = original, case .object(let new) = modified else { return modified }
        var patch: JSONObject = [:]
        for key in old.keys where new[key] == nil {
            patch[key] = .null
        }
        for (key, newValue) in new {
            if let oldValue = old[key] {
                if let change = mergePatch(from: oldValue, to: newValue) { patch[key] = change }
            } else {
                patch[key] = newValue
            }
        }
        return patch.isEmpty ? nil : .object(patch)
    }
}
