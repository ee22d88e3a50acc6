import Foundation
@testable import Kubernetes
import Testing

@Suite struct LeaderElectionStateMachineTests {
    let start = ContinuousClock.now
    let wall = Date(timeIntervalSince1970: 1_700_000_000)

    func spec(holder: String?, transitions: Int = 0, renew: Date? = nil) -> LeaseSpec {
        var spec = LeaseSpec()
        spec.holderIdentity = holder
        spec.leaseDurationSeconds = 15
        spec.leaseTransitions = transitions
        spec.renewTime = renew ?? wall
        spec.acquireTime = wall
        return spec
    }

    @Test func createsWhenAbsent() {
        var machine = LeaderElectionStateMachine(identity: "me", leaseDuration: .seconds(15))
        guard case .create(let created) = machine.decide(current: nil, now: start, wallClock: wall) else {
            Issue.record("expected create")
            return
        }
        #expect(created.holderIdentity == "me")
        #expect(created.leaseDurationSeconds == 15)
        #expect(created.leaseTransitions == 0)
    }

    @Test func respectsAnotherHoldersLeaseUntilItExpiresOnOurClock() {
        var machine = LeaderElectionStateMachine(identity: "me", leaseDuration: .seconds(15))
        // The record's timestamps are ancient (clock skew): only our observation time counts.
        let theirs = spec(holder: "them", transitions: 4, renew: Date(timeIntervalSince1970: 0))
        #expect(machine.decide(current: theirs, now: start, wallClock: wall) == .held(by: "them"))
        #expect(machine.decide(current: theirs, now: start + .seconds(14), wallClock: wall) == .held(by: "them"))
        guard case .update(let taken) = machine.decide(current: theirs, now: start + .seconds(16), wallClock: wall) else {
            Issue.record("expected take-over")
            return
        }
        #expect(taken.holderIdentity == "me")
        #expect(taken.leaseTransitions == 5)
    }

    @Test func aRenewalByTheHolderRestartsTheClock() {
        var machine = LeaderElectionStateMachine(identity: "me", leaseDuration: .seconds(15))
        _ = machine.decide(current: spec(holder: "them"), now: start, wallClock: wall)
        let renewed = spec(holder: "them", renew: wall.addingTimeInterval(10))
        #expect(machine.decide(current: renewed, now: start + .seconds(10), wallClock: wall) == .held(by: "them"))
        #expect(machine.decide(current: renewed, now: start + .seconds(20), wallClock: wall) == .held(by: "them"))
    }

    @Test func renewsOwnLeaseKeepingAcquireTimeAndTransitions() {
        var machine = LeaderElectionStateMachine(identity: "me", leaseDuration: .seconds(15))
        let mine = spec(holder: "me", transitions: 2)
        guard case .update(let renewed) = machine.decide(current: mine, now: start, wallClock: wall.addingTimeInterval(5)) else {
            Issue.record("expected renew")
            return
        }
        #expect(renewed.leaseTransitions == 2)
        #expect(renewed.acquireTime == mine.acquireTime)
        #expect(renewed.renewTime == wall.addingTimeInterval(5))
    }

    @Test func releasedLeaseIsTakenAtOnce() {
        var machine = LeaderElectionStateMachine(identity: "me", leaseDuration: .seconds(15))
        let owner = LeaderElectionStateMachine(identity: "them", leaseDuration: .seconds(15))
        let released = owner.release(spec(holder: "them"), wallClock: wall)
        #expect(released?.holderIdentity == nil)
        #expect(owner.release(spec(holder: "someone-else"), wallClock: wall) == nil)
        guard case .update(let taken) = machine.decide(current: released, now: start, wallClock: wall) else {
            Issue.record("expected immediate take-over")
            return
        }
        #expect(taken.holderIdentity == "me")
    }

    @Test func unknownLeaseFieldsAreKept() {
        var machine = LeaderElectionStateMachine(identity: "me", leaseDuration: .seconds(15))
        var mine = spec(holder: "me")
        mine.json["preferredHolder"] = "me"
        guard case .update(let renewed) = machine.decide(current: mine, now: start, wallClock: wall) else {
            Issue.record("expected renew")
            return
        }
        #expect(renewed.json["preferredHolder"] == "me")
    }
}
