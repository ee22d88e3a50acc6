@testable import Kubernetes
import Testing

@Suite struct ReflectorStateMachineTests {
    @Test func listThenWatchFromListVersion() {
        var machine = ReflectorStateMachine()
        #expect(machine.nextAction() == .list)
        machine.listSucceeded(resourceVersion: "10")
        #expect(machine.nextAction() == .watch(from: "10"))
        machine.received(resourceVersion: "12")
        machine.received(resourceVersion: "15")
        machine.watchEnded(deliveredEvents: true)
        #expect(machine.nextAction() == .watch(from: "15"))
    }

    @Test func goneRelists() {
        var machine = ReflectorStateMachine()
        machine.listSucceeded(resourceVersion: "10")
        machine.failed(KubernetesError(code: .gone, httpStatus: 410, message: "too old"))
        #expect(machine.nextAction() == .list)
    }

    @Test func repeatedGoneBacksOff() {
        var machine = ReflectorStateMachine(backoff: ExponentialBackoff(base: .milliseconds(100), maximum: .seconds(1)))
        machine.listSucceeded(resourceVersion: "10")
        machine.failed(KubernetesError(code: .gone, httpStatus: 410, message: "too old"))
        #expect(machine.nextAction() == .list)
        // The list itself keeps failing with 410 (an expired continue token): no hot loop.
        machine.failed(KubernetesError(code: .gone, httpStatus: 410, message: "expired continue"))
        #expect(machine.nextAction() == .wait(.milliseconds(200)))
        #expect(machine.nextAction() == .list)
        machine.listSucceeded(resourceVersion: "20")
        machine.failed(KubernetesError(code: .gone, httpStatus: 410, message: "too old"))
        #expect(machine.nextAction() == .list)
    }

    @Test func failuresBackOffAndEventsReset() {
        let backoff = ExponentialBackoff(base: .milliseconds(100), maximum: .seconds(1))
        var machine = ReflectorStateMachine(backoff: backoff)
        machine.listSucceeded(resourceVersion: "5")
        machine.failed(KubernetesError(code: .transport, message: "refused"))
        #expect(machine.nextAction() == .wait(.milliseconds(100)))
        #expect(machine.nextAction() == .watch(from: "5"))
        machine.failed(KubernetesError(code: .transport, message: "refused"))
        #expect(machine.nextAction() == .wait(.milliseconds(200)))
        machine.received(resourceVersion: "6")
        machine.failed(KubernetesError(code: .transport, message: "refused"))
        #expect(machine.nextAction() == .wait(.milliseconds(100)))
    }

    @Test func emptyWatchEndingBacksOff() {
        var machine = ReflectorStateMachine(backoff: ExponentialBackoff(base: .milliseconds(100), maximum: .seconds(1)))
        machine.listSucceeded(resourceVersion: "5")
        machine.watchEnded(deliveredEvents: false)
        #expect(machine.nextAction() == .wait(.milliseconds(100)))
        #expect(machine.nextAction() == .watch(from: "5"))
    }

    @Test func tooManyRequestsHonoursRetryAfter() {
        var machine = ReflectorStateMachine(backoff: ExponentialBackoff(base: .milliseconds(100), maximum: .seconds(1)))
        machine.failed(KubernetesError(code: .tooManyRequests, httpStatus: 429, message: "slow", retryAfter: .seconds(3)))
        #expect(machine.nextAction() == .wait(.seconds(3)))
        #expect(machine.nextAction() == .list)
    }
}
