import Foundation

/// The equality-based label selector syntax: `a=b`, `a==b`, `a!=b`, `a`, `!a`, comma-separated.
struct LabelSelector: Sendable {
    private enum Requirement {
        case equals(String, String)
        case notEquals(String, String)
        case exists(String)
        case doesNotExist(String)
    }

    private var requirements: [Requirement] = []

    init(_ text: String?) {
        guard let text else { return }
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            if let range = part.range(of: "!=") {
                requirements.append(.notEquals(String(part[..<range.lowerBound]), String(part[range.upperBound...])))
            } else if let range = part.range(of: "==") ?? part.range(of: "=") {
                requirements.append(.equals(String(part[..<range.lowerBound]), String(part[range.upperBound...])))
            } else if part.hasPrefix("!") {
                requirements.append(.doesNotExist(String(part.dropFirst())))
            } else {
                requirements.append(.exists(part))
            }
        }
    }

    func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let key, let value): return labels[key] == value
            case .notEquals(let key, let value): return labels[key] != value
            case .exists(let key): return labels[key] != nil
            case .doesNotExist(let key): return labels[key] == nil
            }
        }
    }
}
