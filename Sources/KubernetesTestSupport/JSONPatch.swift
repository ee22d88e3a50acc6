import Kubernetes

/// RFC 6902 JSON patch: `add`, `remove`, `replace`, `move`, `copy` and `test` operations on RFC
/// 6901 JSON pointers.
enum JSONPatch {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private enum Change {
        case add(JSONValue)
        case replace(JSONValue)
        case remove
    }

    static func apply(_ operations: JSONValue, to document: JSONValue) throws -> JSONValue {
        guard let operations = operations.arrayValue else { throw Failure(description: "a JSON patch is a list") }
        var document = document
        for operation in operations {
            guard let op = operation["op"]?.stringValue, let path = operation["path"]?.stringValue else {
                throw Failure(description: "each operation needs op and path")
            }
            let tokens = try pointer(path)
            switch op {
            case "add":
                document = try change(document, tokens[...], .add(try value(operation)))
            case "remove":
                document = try change(document, tokens[...], .remove)
            case "replace":
                document = try change(document, tokens[...], .replace(try value(operation)))
            case "move", "copy":
                guard let from = operation["from"]?.stringValue else { throw Failure(description: "\(op) needs from") }
                let source = try pointer(from)
                let moved = try get(document, source)
                if op == "move" { document = try change(document, source[...], .remove) }
                document = try change(document, tokens[...], .add(moved))
            case "test":
                guard try get(document, tokens) == (try value(operation)) else {
                    throw Failure(description: "test failed at \(path)")
                }
            default:
                throw Failure(description: "unknown op \(op)")
            }
        }
        return document
    }

    private static func value(_ operation: JSONValue) throws -> JSONValue {
        guard let value = operation.objectValue?["value"] else { throw Failure(description: "operation needs a value") }
        return value
    }

    static func pointer(_ text: String) throws -> [String] {
        if text.isEmpty { return [] }
        guard text.hasPrefix("/") else { throw Failure(description: "pointer \(text) must start with /") }
        return text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    static func get(_ document: JSONValue, _ tokens: [String]) throws -> JSONValue {
        var current = document
        for token in tokens {
            switch current {
            case .object(let object):
                guard let next = object[token] else { throw Failure(description: "no member \(token)") }
                current = next
            case .array(let array):
                guard let index = Int(token), array.indices.contains(index) else {
                    throw Failure(description: "no element \(token)")
                }
                current = array[index]
            default:
                throw Failure(description: "cannot descend into a scalar at \(token)")
            }
        }
        return current
    }

    private static func change(_ document: JSONValue, _ tokens: ArraySlice<String>, _ change: Change) throws -> JSONValue {
        guard let token = tokens.first else {
            switch change {
            case .add(let value), .replace(let value): return value
            case .remove: throw Failure(description: "cannot remove the whole document")
            }
        }
        let rest = tokens.dropFirst()
        switch document {
        case .object(var object):
            if rest.isEmpty {
                switch change {
                case .add(let value):
                    object[token] = value
                case .replace(let value):
                    guard object[token] != nil else { throw Failure(description: "no member \(token) to replace") }
                    object[token] = value
                case .remove:
                    guard object.removeValue(forKey: token) != nil else {
                        throw Failure(description: "no member \(token) to remove")
                    }
                }
            } else {
                guard let child = object[token] else { throw Failure(description: "no member \(token)") }
                object[token] = try self.change(child, rest, change)
            }
            return .object(object)
        case .array(var array):
            if rest.isEmpty, case .add(let value) = change {
                if token == "-" {
                    array.append(value)
                } else {
                    guard let index = Int(token), index >= 0, index <= array.count else {
                        throw Failure(description: "bad array index \(token)")
                    }
                    array.insert(value, at: index)
                }
                return .array(array)
            }
            guard let index = Int(token), array.indices.contains(index) else {
                throw Failure(description: "bad array index \(token)")
            }
            if rest.isEmpty {
                switch change {
                case .replace(let value): array[index] = value
                case .remove: array.remove(at: index)
                case .add: break
                }
            } else {
                array[index] = try self.change(array[index], rest, change)
            }
            return .array(array)
        default:
            throw Failure(description: "cannot descend into a scalar at \(token)")
        }
    }
}
