// The BEP 3 peer_id chosen by the client, 20 bytes on the wire (BEP 15 announce offset 36). Same
// shape as InfoHash so both share one cheap, allocation-free representation.
public struct PeerID: Hashable, Sendable, Comparable, CustomStringConvertible {
    var storage: TwentyBytes

    /// Reads 20 bytes at `offset`. The caller guarantees `offset + 20 <= bytes.count`.
    @inline(__always)
    public init(_ bytes: Span<UInt8>, at offset: Int) {
        storage = TwentyBytes(bytes, at: offset)
    }

    /// 40 hex digits, either case; anything else is nil.
    public init?(hex: some StringProtocol) {
        guard let storage = TwentyBytes(hexDigits: hex.utf8) else { return nil }
        self.storage = storage
    }

    /// For tests and cold paths. Precondition: exactly 20 bytes.
    public init(bytes: [UInt8]) {
        storage = TwentyBytes(bytes: bytes)
    }

    /// Writes the 20 bytes in wire order at `offset`.
    public func write(into span: inout MutableRawSpan, at offset: Int) {
        storage.write(into: &span, at: offset)
    }

    /// 40 lowercase hex digits.
    public var hex: String { storage.hex }

    public var bytes: [UInt8] { storage.bytes }

    public var description: String { storage.hex }

    /// Byte-wise (lexicographic) order, the order a sorted full scrape lists torrents in.
    public static func < (lhs: PeerID, rhs: PeerID) -> Bool {
        lhs.storage < rhs.storage
    }
}
