import Foundation
import Synchronization

/// Supplies the bearer token for each request. A token file is checked at most every
/// `recheckInterval` and re-read when its modification time or size changed, and at once after
/// the server answers 401, so a rotated service-account token is picked up without a restart and
/// without touching the file system on every request.
final class BearerTokenSource: Sendable {
    private enum Source {
        case fixed(String)
        case file(String)
    }

    private struct Cache {
        var token: String?
        var stamp: FileStamp?
        var checked: ContinuousClock.Instant?
    }

    private struct FileStamp: Equatable {
        var modified: Date?
        var size: Int?
    }

    private let source: Source
    private let cache = Mutex(Cache())
    let recheckInterval: Duration = .seconds(10)

    var isFile: Bool {
        if case .file = source { return true }
        return false
    }

    init?(_ credentials: ClientConfiguration.Credentials) {
        switch credentials {
        case .bearerToken(let token): source = .fixed(token)
        case .bearerTokenFile(let path): source = .file(path)
        case .none, .basic: return nil
        }
    }

    /// The current token; `nil` when the file cannot be read.
    func token() -> String? {
        switch source {
        case .fixed(let token):
            return token
        case .file(let path):
            let now = ContinuousClock.now
            let fresh = cache.withLock { cache -> String? in
                guard let checked = cache.checked, now - checked < recheckInterval else { return nil }
                return cache.token
            }
            if let fresh { return fresh }
            let attributes = try? FileManager.default.attributesOfItem(atPath: path)
            let stamp = FileStamp(
                modified: attributes?[.modificationDate] as? Date, size: (attributes?[.size] as? NSNumber)?.intValue)
            return cache.withLock { cache in
                cache.checked = now
                if let token = cache.token, cache.stamp == stamp { return token }
                guard let data = FileManager.default.contents(atPath: path),
                    let text = String(data: data, encoding: .utf8)
                else { return cache.token }
                cache.token = text.trimmingCharacters(in: .whitespacesAndNewlines)
                cache.stamp = stamp
                return cache.token
            }
        }
    }

    /// Forgets the cached token so the next request re-reads the file (after a 401).
    func invalidate() {
        cache.withLock { cache in
            cache.stamp = nil
            cache.checked = nil
        }
    }
}
