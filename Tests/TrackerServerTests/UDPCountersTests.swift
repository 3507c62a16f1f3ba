import Testing
import TrackerProtocol
@testable import TrackerServer

/// `InlineArray` sizes are literals; these tie each one to the enum or constant it is indexed by,
/// so a new case cannot index past the end (a trap on the hot path) or go uncounted.
@Suite("UDP worker counters")
struct UDPCountersTests {
    @Test("every outcome, drop reason and renewal bucket has a counter slot")
    func slotsMatchCases() {
        let counters = UDPLocalCounters()
        #expect(counters.responses.count == UDPOutcome.allCases.count)
        #expect(counters.drops.count == UDPDropReason.allCases.count)
        #expect(counters.renewals.count == AnnounceRenewals.buckets)
    }

    @Test("a drop counted by the worker is published under its reason and in the total")
    func dropsArePublished() {
        var local = UDPLocalCounters()
        for (index, reason) in UDPDropReason.allCases.enumerated() { local.drops[reason.rawValue] = UInt64(index + 1) }
        let statistics = UDPStatistics()
        statistics.publish(local)
        for (index, reason) in UDPDropReason.allCases.enumerated() { #expect(statistics.drops(reason) == UInt64(index + 1)) }
        let count = UInt64(UDPDropReason.allCases.count)
        #expect(statistics.totalDrops == count * (count + 1) / 2)
    }
}
