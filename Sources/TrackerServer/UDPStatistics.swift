import TrackerProtocol

/// The published, readable side of one worker's counters (read by stats, metrics and logs).
public final class UDPStatistics: Sendable {
    let responseCounts: [AtomicCounter]
    let dropCounts: [AtomicCounter]
    let bytesIn = AtomicCounter()
    let bytesOut = AtomicCounter()
    let peersReturned = AtomicCounter()
    let completedCount = AtomicCounter()
    let decoyCount = AtomicCounter()
    let renewalCounts: [AtomicCounter]
    /// Written by the worker itself (its single writer), read by `/stats?mode=woodpeckers`.
    let woodpeckers = WoodpeckerTable()

    public init() {
        responseCounts = UDPOutcome.allCases.map { _ in AtomicCounter() }
        dropCounts = UDPDropReason.allCases.map { _ in AtomicCounter() }
        renewalCounts = (0..<AnnounceRenewals.buckets).map { _ in AtomicCounter() }
    }

    /// Called once per loop turn. Reads the counters through spans: subscripting a borrowed
    /// `InlineArray` element by element copied the whole array per element (45 copies of the
    /// 360-byte renewal histogram per turn, ~70 instructions per announce under callgrind).
    func publish(_ local: borrowing UDPLocalCounters) {
        Self.store(local.responses.span, into: responseCounts)
        Self.store(local.drops.span, into: dropCounts)
        bytesIn.value.store(local.bytesIn, ordering: .relaxed)
        bytesOut.value.store(local.bytesOut, ordering: .relaxed)
        peersReturned.value.store(local.peersReturned, ordering: .relaxed)
        completedCount.value.store(local.completed, ordering: .relaxed)
        decoyCount.value.store(local.decoys, ordering: .relaxed)
        Self.store(local.renewals.span, into: renewalCounts)
    }

    private static func store(_ values: Span<UInt64>, into counters: [AtomicCounter]) {
        for index in 0..<min(values.count, counters.count) {
            counters[index].value.store(values[index], ordering: .relaxed)
        }
    }

    public func renewed(bucket: Int) -> UInt64 { renewalCounts[bucket].value.load(ordering: .relaxed) }

    public func responses(_ outcome: UDPOutcome) -> UInt64 {
        responseCounts[outcome.rawValue].value.load(ordering: .relaxed)
    }
    public func drops(_ drop: UDPDropReason) -> UInt64 { dropCounts[drop.rawValue].value.load(ordering: .relaxed) }
    public var receivedBytes: UInt64 { bytesIn.value.load(ordering: .relaxed) }
    public var sentBytes: UInt64 { bytesOut.value.load(ordering: .relaxed) }
    /// Announces with event=completed (opentracker's `completed`).
    public var completed: UInt64 { completedCount.value.load(ordering: .relaxed) }
    /// Decoy peers sent in announce replies.
    public var decoysSent: UInt64 { decoyCount.value.load(ordering: .relaxed) }
    public var totalDrops: UInt64 { UDPDropReason.allCases.reduce(0) { $0 + drops($1) } }
    public var totalResponses: UInt64 { UDPOutcome.allCases.reduce(0) { $0 + responses($1) } }
}
