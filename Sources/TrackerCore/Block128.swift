/// One 128-bit block: bytes 0–7 in `low`, 8–15 in `high`, each word little-endian, so the layout
/// is the block's bytes in order on a little-endian machine (what an AES instruction loads).
public struct Block128: Sendable, Equatable {
    public var low: UInt64
    public var high: UInt64

    @inline(__always)
    public init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    /// The block of 16 bytes in order (test vectors are written this way).
    public init(bytes: some Collection<UInt8>) {
        precondition(bytes.count == 16, "Block128 needs 16 bytes")
        var low: UInt64 = 0
        var high: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 8 { low |= UInt64(byte) << (8 * UInt64(index)) } else { high |= UInt64(byte) << (8 * UInt64(index - 8)) }
        }
        self.init(low: low, high: high)
    }

    @inline(__always)
    public static func ^ (a: Block128, b: Block128) -> Block128 {
        Block128(low: a.low ^ b.low, high: a.high ^ b.high)
    }

    public static let zero = Block128(low: 0, high: 0)
}
