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
