/// An IPv4 peer in 8 bytes: address, port, meta (opentracker's ceiling is also 8 B).
///
/// Stored already in reply order: as a little-endian word (on any host), bytes 0–3 are the address
/// and 4–5 the port, both big-endian as BEP 23 sends them, and 6–7 the meta. A sampled peer is then
/// one 8-byte load and store with no byte swaps, and an endpoint comparison one masked compare
/// (the sampling loop runs ~22 times per announce; swaps and shifts were a fifth of its instructions).
struct Peer4: CompactPeer, Equatable {
    // Two 4-byte halves, not one UInt64: 4-byte alignment keeps a torrent with an inline pair of
    // peers at 28 bytes (8-byte alignment made it 32 and a table entry 56 instead of 48).
    private var low: UInt32
    private var high: UInt32

    /// The record as one little-endian word (one 8-byte load).
    @inline(__always)
    private var word: UInt64 { UInt64(low) | UInt64(high) << 32 }

    /// The low 48 bits: address and port.
    private static let endpointMask: UInt64 = 0x0000_FFFF_FFFF_FFFF

    /// 4 B address + 2 B port, network order (BEP 23).
    static var compactSize: Int { 6 }

    init(address: UInt32, port: UInt16, meta: UInt16 = 0) {
        low = address.byteSwapped
        high = UInt32(port.byteSwapped) | UInt32(meta) << 16
    }

    init(_ address: IPv4Address, port: UInt16, meta: UInt16 = 0) {
        self.init(address: address.rawValue, port: port, meta: meta)
    }

    var address: UInt32 { low.byteSwapped }

    var port: UInt16 { UInt16(truncatingIfNeeded: high).byteSwapped }

    var meta: UInt16 {
        get { UInt16(truncatingIfNeeded: high >> 16) }
        set { high = high & 0xFFFF | UInt32(newValue) << 16 }
    }

    @inline(__always)
    func hasSameEndpoint(as other: Peer4) -> Bool {
        (word ^ other.word) & Self.endpointMask == 0
    }

    @inline(__always)
    func endpointHash(seed: UInt64) -> UInt64 {
        mixBits(seed ^ (word & Self.endpointMask))
    }

    /// One 8-byte store: address and port in network order, then the meta as scratch: the next
    /// record overwrites it, or it lies beyond the reply's length.
    static var paddedSize: Int { 8 }

    @inline(__always)
    func writeCompactPadded(into span: inout MutableRawSpan, at offset: Int) {
        span.storeBytes(of: word.littleEndian, toByteOffset: offset, as: UInt64.self)
    }

    @unsafe @inline(__always)
    func writeCompactPadded(into span: inout MutableRawSpan, uncheckedAt offset: Int) {
        // SAFETY: the caller checked offset..<offset + 8 lies in the span (protocol requirement).
        unsafe span.storeBytes(of: word.littleEndian, toUncheckedByteOffset: offset, as: UInt64.self)
    }

    func writeCompact(into span: inout MutableRawSpan, at offset: Int) {
        span.storeBytes(of: low.littleEndian, toByteOffset: offset, as: UInt32.self)
        span.storeBytes(of: UInt16(truncatingIfNeeded: high).littleEndian, toByteOffset: offset + 4, as: UInt16.self)
    }
}
