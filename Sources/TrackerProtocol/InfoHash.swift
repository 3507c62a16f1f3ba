// The BEP 3 info_hash: SHA-1 of the bencoded info dictionary, 20 bytes on the wire (BEP 15 announce
// offset 16, scrape offset 16 + 20 × i). Shards and swarms are keyed by it, so Hashable must be cheap.
public struct InfoHash: Hashable, Sendable, Comparable, CustomStringConvertible {
    var storage: TwentyBytes

    /// Reads 20 bytes at `offset`. The caller guarantees `offset + 20 <= bytes.count`.
    @inline(__always)
    public init(_ bytes: Span<UInt8>, at offset: Int) {
        storage = TwentyBytes(bytes, at: offset)
    }

    /// 40 hex digits, either case; anything else is nil.
    public init?(hex: some StringProtocol) {
        self.init(hexDigits: hex.utf8)
    }

    /// 40 hex digits as bytes (a line of a list file), either case; anything else is nil.
    public init?(hexDigits: some Sequence<UInt8>) {
        guard let storage = TwentyBytes(hexDigits: hexDigits) else { return nil }
        self.storage = storage
    }

    /// For tests and cold paths. Precondition: exactly 20 bytes.
    public init(bytes: [UInt8]) {
        storage = TwentyBytes(bytes: bytes)
    }

    /// From the 20 bytes as big-endian integers (bytes 0..<8, 8..<16, 16..<20): compact tables
    /// store the hash as plain words and rebuild it without touching bytes.
    public init(high: UInt64, middle: UInt64, low: UInt32) {
        storage = TwentyBytes(high: high, middle: middle, low: low)
    }

    /// The 20 bytes as big-endian integers, the inverse of `init(high:middle:low:)`.
    public var words: (high: UInt64, middle: UInt64, low: UInt32) {
        (storage.high, storage.middle, storage.low)
    }

    /// Writes the 20 bytes in wire order at `offset`.
    public func write(into span: inout MutableRawSpan, at offset: Int) {
        storage.write(into: &span, at: offset)
    }

    /// 40 lowercase hex digits.
    public var hex: String { storage.hex }

    public var bytes: [UInt8] { storage.bytes }

    /// The first four bytes as a big-endian integer: what shards and kernel steering key on
    /// (opentracker buckets by the leading bits too).
    public var leadingWord: UInt32 { UInt32(truncatingIfNeeded: storage.high >> 32) }

    public var description: String { storage.hex }

    /// Byte-wise (lexicographic) order, the order a sorted full scrape lists torrents in.
    public static func < (lhs: InfoHash, rhs: InfoHash) -> Bool {
        lhs.storage < rhs.storage
    }
}
