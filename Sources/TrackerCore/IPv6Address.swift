/// An IPv6 address as two numeric halves: `high` holds bytes 0–7, `low` bytes 8–15 (network order).
public struct IPv6Address: Hashable, Sendable {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }
}
