import CloudAPI
import LocalCloud
import Testing

@Suite struct SecretTests {
    @Test func apiKeyNeverReachesLogsErrorsOrMetricLabels() async throws {
        var errors: [String] = []
        try await Harness.with { h in
            // A mix of successes, failures, retries and throttles, all logged at trace level.
            let instance = try await h.newInstance()
            _ = try await h.newActiveVolume()
            h.server.inject(.error)
            h.server.inject(.throttle(retryAfterSeconds: 0))
            _ = try await h.client.instances()
            do { _ = try await h.client.volume(id: "nope") } catch { errors.append("\(error)") }
            do { try await h.client.deleteInstance(id: "nope") } catch { errors.append(String(reflecting: error)) }
            do { try await h.client.attachVolume(id: "nope", instanceID: instance.id) } catch { errors.append("\(error)") }
            #expect(!h.logs.all.isEmpty)
            for line in h.logs.all {
                #expect(!line.contains(Harness.key), "log line leaks the key: \(line)")
                #expect(!line.contains("Bearer"))
            }
            for counter in h.metrics.counters {
                let label = counter.label + counter.dimensions.map { "\($0.0)=\($0.1)" }.joined()
                #expect(!label.contains(Harness.key))
            }
        }
        #expect(errors.count == 3)
        for error in errors { #expect(!error.contains(Harness.key)) }
        #expect("\(APIKey(Harness.key))" == "APIKey(redacted)")
        #expect(String(reflecting: APIKey(Harness.key)) == "APIKey(redacted)")
    }

    @Test func wrongKeyErrorDoesNotEchoIt() async throws {
        let wrong = "WRONG-SECRET-9876543210"
        try await Harness.with(client: { $0.apiKey = APIKey(wrong) }) { h in
            do {
                _ = try await h.client.volumes()
                Issue.record("expected unauthorized")
            } catch {
                #expect(!"\(error)".contains(wrong))
                #expect(!String(reflecting: error).contains(wrong))
            }
            #expect(h.logs.all.allSatisfy { !$0.contains(wrong) })
        }
    }
}
