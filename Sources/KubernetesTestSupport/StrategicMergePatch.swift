import Kubernetes

/// Kubernetes strategic merge patch for the fields the modelled kinds carry.
///
/// Like a JSON merge patch, except that lists declared with a merge strategy merge instead of
/// being replaced: lists of objects by their merge key (`conditions` and `addresses` by `type`,
/// `ports` by `port`, `ownerReferences` by `uid`, `containers`/`volumes`/`env` by `name`), lists of
/// strings (`finalizers`) by union. Directives: `$patch: replace|delete` on objects and list
/// elements, `$deleteFromPrimitiveList/<field>`, and `$setElementOrder/<field>` (accepted, ignored).
enum StrategicMergePatch {
    static let mergeKeys: [String: String] = [
        "conditions": "type", "addresses": "type", "ports": "port", "ownerReferences": "uid",
        "containers": "name", "initContainers": "name", "volumes": "name", "env": "name", "imagePullSecrets": "name",
    ]
    static let primitiveMergeLists: Set<String> = ["finalizers"]

    static func apply(_ patch: JSONValue, to original: JSONValue) -> JSONValue {
        guard case .object(var patchObject) = patch else { return patch }
        if patchObject["$patch"]?.stringValue == "replace" {
            patchObject.removeValue(forKey: "$patch")
            return .object(patchObject)
        }
        var result = original.objectValue ?? [:]
        for (key, value) in patchObject {
            if key.hasPrefix("$deleteFromPrimitiveList/") {
                let field = String(key.dropFirst("$deleteFromPrimitiveList/".count))
                let removed = value.arrayValue ?? []
                if let list = result[field]?.arrayValue {
                    result[field] = .array(list.filter { !removed.contains($0) })
                }
                continue
            }
            if key.hasPrefix("$") { continue }
            switch value {
            case .null:
                result.removeValue(forKey: key)
            case .object(let child) where child["$patch"]?.stringValue == "delete":
                result.removeValue(forKey: key)
            case .object:
                result[key] = apply(value, to: result[key] ?? .null)
            case .array(let elements):
                result[key] = mergeList(key: key, patch: elements, original: result[key]?.arrayValue ?? [])
            default:
                result[key] = value
            }
        }
        return .object(result)
    }

    private static func mergeList(key: String, patch: [JSONValue], original: [JSONValue]) -> JSONValue {
        if primitiveMergeLists.contains(key) {
            var merged = original
            for element in patch where !merged.contains(element) { merged.append(element) }
            return .array(merged)
        }
        guard let mergeKey = mergeKeys[key] else { return .array(patch) }
        if patch.contains(where: { $0["$patch"]?.stringValue == "replace" }) {
            return .array(patch.filter { $0["$patch"] == nil })
        }
        var merged = original
        for element in patch {
            guard case .object(let object) = element, let identity = object[mergeKey] else {
                merged.append(element)
                continue
            }
            let index = merged.firstIndex { $0[mergeKey] == identity }
            if object["$patch"]?.stringValue == "delete" {
                if let index { merged.remove(at: index) }
            } else if let index {
                merged[index] = apply(element, to: merged[index])
            } else {
                merged.append(apply(element, to: .object([:])))
            }
        }
        return .array(merged)
    }
}
