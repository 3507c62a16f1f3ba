// Shared storage for the two 20-byte BEP 15 identifiers (info_hash and peer_id).
//
// Three integers instead of an array or a 20-tuple: hashing and equality are three word
// comparisons, the value is trivially copyable, and reading it from a packet never allocates.
// The integers hold the bytes in wire order, so comparing (high, middle, low) numerically is the
// same as comparing the bytes lexicographically.
struct TwentyBytes: Hashable, Sendable {
    static let byteCount = 20

    var high: UInt64    // bytes 0..<8
    var middle: UInt64  // bytes 8..<16
    var low: UInt32     // bytes 16..<20

    init(high: UInt64, middle: UInt64, low: UInt32) {
        self.high = high
        self.middle = middle
        self.low = low
    }

    @inline(__always)
    init(_ bytes: Span<UInt8>, at offset: Int) {
        precondition(offset >= 0 && offset + Self.byteCount <= bytes.count, "20-byte field outside the packet")
        high = WireBytes.uint64(bytes, at: offset)
        middle = WireBytes.uint64(bytes, at: offset + 8)
        low = WireBytes.uint32(bytes, at: offset + 16)
    }

    init(bytes: [UInt8]) {
        precondition(bytes.count == Self.byteCount, "a 20-byte identifier needs exactly 20 bytes")
        self.init(bytes.span, at: 0)
    }

    /// 40 hex digits, either case; anything else (another count, a non-digit) is nil.
    init?(hexDigits: some Sequence<UInt8>) {
        var high: UInt64 = 0
        var middle: UInt64 = 0
        var low: UInt32 = 0
        var digits = 0
        for unit in hexDigits {
            guard digits < 2 * Self.byteCount, let nibble = HexDigits.value(of: unit) else { return nil }
            switch digits {
            case 0..<16: high = high << 4 | UInt64(nibble)
            case 16..<32: middle = middle << 4 | UInt64(nibble)
            default: low = low << 4 | UInt32(nibble)
            }
            digits += 1
        }
        guard digits == 2 * Self.byteCount else { return nil }
        self.init(high: high, middle: middle, low: low)
    }

    func write(into span: inout MutableRawSpan, at offset: Int) {
        WireBytes.store(high, into: &span, at: offset)
        WireBytes.store(middle, into: &span, at: offset + 8)
        WireBytes.store(low, into: &span, at: offset + 16)
    }

    var bytes: [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(Self.byteCount)
        for shift in stride(from: 56, through: 0, by: -8) { result.append(UInt8(truncatingIfNeeded: high >> UInt64(shift))) }
        for shift in stride(from: 56, through: 0, by: -8) { result.append(UInt8(truncatingIfNeeded: middle >> UInt64(shift))) }
        for shift in stride(from: 24, through: 0, by: -8) { result.append(UInt8(truncatingIfNeeded: low >> UInt32(shift))) }
        return result
    }

    var hex: String { HexDigits.lowercase(bytes) }

    static func < (lhs: TwentyBytes, rhs: TwentyBytes) -> Bool {
        (lhs.high, lhs.middle, lhs.low) < (rhs.high, rhs.middle, rhs.low)
    }
}
