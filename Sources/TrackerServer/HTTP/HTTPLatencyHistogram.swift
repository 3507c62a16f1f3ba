import Synchronization

/// One event loop's request-latency histogram: cumulative-free bucket counts plus a sum, written
/// only by the owning loop (relaxed load + store, no locked instruction), read by `/metrics`.
public final class HTTPLatencyHistogram: Sendable {
    /// Upper bounds in nanoseconds: 50 µs (a keep-alive announce on an idle loop) to 1 s (a full
    /// scrape of a large store); the exposition adds +Inf.
    public static let bounds: [UInt64] = [
        50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000,
        50_000_000, 100_000_000, 250_000_000, 1_000_000_000,
    ]
    private let buckets: [AtomicCounter]
    private let sum = AtomicCounter()

    public init() {
        buckets = (0...Self.bounds.count).map { _ in AtomicCounter() }
    }

    /// Single writer only: the owning event loop.
    func record(nanoseconds: UInt64) {
        let index = Self.bounds.firstIndex { nanoseconds <= $0 } ?? Self.bounds.count
        HTTPStatistics.bump(buckets[index], by: 1)
        HTTPStatistics.bump(sum, by: nanoseconds)
    }

    /// Non-cumulative counts per bucket (the last is above every bound) and the sum in nanoseconds.
    public func snapshot() -> (counts: [UInt64], sumNanoseconds: UInt64) {
        (buckets.map { $0.value.load(ordering: .relaxed) }, sum.value.load(ordering: .relaxed))
    }
}

extension [HTTPLatencyHistogram] {
    /// The loops' histograms added together, in Prometheus text (cumulative buckets, seconds).
    func exposition(name: String, help: String) -> String {
        var counts = [UInt64](repeating: 0, count: HTTPLatencyHistogram.bounds.count + 1)
        var sum: UInt64 = 0
        for histogram in self {
            let (loopCounts, loopSum) = histogram.snapshot()
            for index in counts.indices { counts[index] &+= loopCounts[index] }
            sum &+= loopSum
        }
        var text = "# HELP \(name) \(help)\n# TYPE \(name) histogram\n"
        var cumulative: UInt64 = 0
        for (index, bound) in HTTPLatencyHistogram.bounds.enumerated() {
            cumulative &+= counts[index]
            text += "\(name)_bucket{le=\"\(Double(bound) / 1e9)\"} \(cumulative)\n"
        }
        cumulative &+= counts[HTTPLatencyHistogram.bounds.count]
        text += "\(name)_bucket{le=\"+Inf\"} \(cumulative)\n"
        text += "\(name)_sum \(Double(sum) / 1e9)\n\(name)_count \(cumulative)\n"
        return text
    }
}
