import Synchronization
import TrackerProtocol

/// What a UDP worker counts. Each outcome of a datagram lands in exactly one of `responses`,
/// `rejects` (answered with an error) or `drops` (not answered), so operators can reconcile totals.
public enum UDPOutcome: Int, CaseIterable, Sendable {
    /// `error` answers a malformed request; `denied` an announce the access list refuses.
    case connect, announce, scrape, error, denied
}

/// Why a datagram got no answer: the parser's reasons and the worker's share one enum
/// (`UDPDropReason`), so every reason is counted under one name.
extension UDPDropReason {
    /// The Prometheus label value: snake_case like every other label.
    var label: String {
        switch self {
        case .tooShort: "too_short"
        case .badProtocolID: "bad_protocol_id"
        case .badConnectionID: "bad_connection_id"
        case .sourcePortZero: "source_port_zero"
        case .unknownFamily: "unknown_family"
        }
    }
}

/// Plain per-worker counters: incremented without atomics on the hot path, published once per
/// loop turn into `UDPStatistics` (no locked instruction per packet).
struct UDPLocalCounters: Sendable {
    // InlineArray's size is a literal; UDPCountersTests checks each against its enum's case count.
    var responses = InlineArray<5, UInt64>(repeating: 0)
    var drops = InlineArray<5, UInt64>(repeating: 0)
    var bytesIn: UInt64 = 0
    var bytesOut: UInt64 = 0
    var peersReturned: UInt64 = 0
    /// Announces with event=completed.
    var completed: UInt64 = 0
    /// Decoy peers sent (`DecoyPolicy`).
    var decoys: UInt64 = 0
    /// Re-announces by minutes since the previous one (opentracker's `renew`).
    var renewals = InlineArray<45, UInt64>(repeating: 0)
}

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

    func publish(_ local: UDPLocalCounters) {
        for outcome in UDPOutcome.allCases {
            responseCounts[outcome.rawValue].value.store(local.responses[outcome.rawValue], ordering: .relaxed)
        }
        for drop in UDPDropReason.allCases {
            dropCounts[drop.rawValue].value.store(local.drops[drop.rawValue], ordering: .relaxed)
        }
        bytesIn.value.store(local.bytesIn, ordering: .relaxed)
        bytesOut.value.store(local.bytesOut, ordering: .relaxed)
        peersReturned.value.store(local.peersReturned, ordering: .relaxed)
        completedCount.value.store(local.completed, ordering: .relaxed)
        decoyCount.value.store(local.decoys, ordering: .relaxed)
        for bucket in 0..<AnnounceRenewals.buckets {
            renewalCounts[bucket].value.store(local.renewals[bucket], ordering: .relaxed)
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

/// `Atomic` is `~Copyable`; a small class lets an array hold one per reason.
final class AtomicCounter: Sendable {
    let value = Atomic<UInt64>(0)
}
