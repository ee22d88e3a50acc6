import Foundation
import Logging

/// Writes `core/v1` Events the way `kubectl describe` expects to read them.
///
/// - A repeat of an event (same object, type, reason, message, source) is not a new Event: the
///   existing one gets `count` + 1 and a new `lastTimestamp` by merge patch (recreated if it has
///   been deleted meanwhile).
/// - When more than `similarEventLimit` events with the same object, type and reason but
///   different messages arrive within `similarEventWindow`, further ones collapse into a single
///   event whose message starts with `(combined from similar events): `.
///
/// Failures to write events are logged, never thrown: events are best effort.
public actor EventRecorder {
    public let component: String
    public let host: String?
    public let similarEventLimit: Int
    public let similarEventWindow: Duration
    private let client: KubernetesClient
    private let logger: Logger
    private let cacheLimit = 4096

    private struct Observed {
        var name: String
        var namespace: String
        var count: Int
        var lastUsed: UInt64
    }

    private struct Similar {
        var windowStart: ContinuousClock.Instant
        var messages: Set<String>
    }

    private var observed: [String: Observed] = [:]
    private var similar: [String: Similar] = [:]
    private var tick: UInt64 = 0

    public init(
        client: KubernetesClient, component: String, host: String? = nil, similarEventLimit: Int = 10,
        similarEventWindow: Duration = .seconds(600), logger: Logger
    ) {
        self.client = client
        self.component = component
        self.host = host
        self.similarEventLimit = similarEventLimit
        self.similarEventWindow = similarEventWindow
        self.logger = logger
    }

    /// Records an event about `object`.
    public func record<R: KubernetesResource>(_ type: EventType, reason: String, message: String, about object: R) async {
        await record(type, reason: reason, message: message, about: object.reference)
    }

    /// Records an event about the object `reference` names.
    public func record(_ type: EventType, reason: String, message: String, about reference: ObjectReference) async {
        let now = Date()
        let namespace = reference.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        let aggregateKey = [
            component, host ?? "", reference.apiVersion ?? "", reference.kind ?? "", namespace, reference.name ?? "",
            reference.uid ?? "", type.rawValue, reason,
        ].joined(separator: "\u{1f}")
        let (key, text) = aggregate(aggregateKey: aggregateKey, message: message)
        tick += 1

        if var seen = observed[key] {
            seen.count += 1
            seen.lastUsed = tick
            let patch: JSONValue = [
                "count": .int(Int64(seen.count)), "lastTimestamp": .string(KubernetesTime.format(now)),
                "message": .string(text),
            ]
            do {
                _ = try await client.patch(Event.self, name: seen.name, namespace: seen.namespace, patch: patch)
                observed[key] = seen
                return
            } catch let error as KubernetesError where error.code == .notFound {
                observed[key] = nil
            } catch {
                logger.info("could not update event", metadata: ["event.reason": "\(reason)", "error": "\(error)"])
                return
            }
        }

        var event = Event(name: "\(reference.name ?? "unknown").\(String(UInt64(now.timeIntervalSince1970 * 1e9), radix: 16))", namespace: namespace)
        event.involvedObject = reference
        event.type = type.rawValue
        event.reason = reason
        event.message = text
        event.count = 1
        event.firstTimestamp = now
        event.lastTimestamp = now
        event.sourceComponent = component
        event.sourceHost = host
        event.reportingComponent = component
        event.reportingInstance = host ?? component
        do {
            let created = try await client.create(event)
            observed[key] = Observed(name: created.name, namespace: namespace, count: 1, lastUsed: tick)
            evictIfNeeded()
        } catch {
            logger.info("could not create event", metadata: ["event.reason": "\(reason)", "error": "\(error)"])
        }
    }

    /// Records without waiting (fire and forget), for callers outside async contexts.
    public nonisolated func post(_ type: EventType, reason: String, message: String, about reference: ObjectReference) {
        Task { await self.record(type, reason: reason, message: message, about: reference) }
    }

    /// The dedup key and message: per message normally, or one combined key once too many
    /// different messages for the same object and reason arrive within the window.
    private func aggregate(aggregateKey: String, message: String) -> (String, String) {
        let now = ContinuousClock.now
        var entry = similar[aggregateKey] ?? Similar(windowStart: now, messages: [])
        if now - entry.windowStart > similarEventWindow {
            entry = Similar(windowStart: now, messages: [])
        }
        entry.messages.insert(message)
        similar[aggregateKey] = entry
        if entry.messages.count > similarEventLimit {
            return (aggregateKey, "(combined from similar events): " + message)
        }
        return (aggregateKey + "\u{1f}" + message, message)
    }

    private func evictIfNeeded() {
        guard observed.count > cacheLimit else { return }
        let oldest = observed.sorted { $0.value.lastUsed < $1.value.lastUsed }.prefix(observed.count - cacheLimit * 3 / 4)
        for (key, _) in oldest { observed[key] = nil }
        if similar.count > cacheLimit { similar.removeAll() }
    }
}
