import Foundation

/// What a `/v2` call goes through before the handler: injected latency, the per-source rate
/// limit, injected faults; then the handler on the thread pool.
extension LocalCloudServer {
    enum Outcome {
        case respond(APIResponse)
        case drop
    }

    func respond(_ request: APIRequest) async -> Outcome {
        let isAPI = request.pathComponents.first == "v2"
        if isAPI {
            let latency = faults.latencyMilliseconds
            if latency > 0 { try? await Task.sleep(for: .milliseconds(latency)) }
            guard limiter.admit(request.sourceAddress) else {
                return .respond(.failure(APIFailure(
                    .tooManyRequests, "rate limit exceeded",
                    headers: [("Retry-After", "\(limiter.retryAfterSeconds)")])))
            }
        }
        let fault = isAPI && handler.isAuthorized(request) ? faults.next() : nil
        if let fault { stats.fault("\(fault)".components(separatedBy: "(")[0]) }
        switch fault {
        case .error:
            return .respond(.failure(APIFailure(.internalError, "injected fault: internal error")))
        case .throttle(let seconds):
            return .respond(.failure(APIFailure(.tooManyRequests, "injected fault: rate limit exceeded",
                                                headers: [("Retry-After", "\(seconds)")])))
        case .dropAfterCommit, nil:
            let handler = self.handler
            let response: APIResponse
            do {
                response = try await threadPool.runIfActive { handler.handle(request) }
                if APIHandler.changesDataPlane(request, status: response.status) { dataPlaneChanges.notify() }
            } catch {
                response = .failure(APIFailure(.internalError, "server is shutting down"))
            }
            return fault == .dropAfterCommit ? .drop : .respond(response)
        }
    }
}
