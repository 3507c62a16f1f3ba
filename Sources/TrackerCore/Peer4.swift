/// An IPv4 peer in 8 bytes: address, port, meta (opentracker's ceiling is also 8 B).
struct Peer4: CompactPeer, Equatable {
    var address: UInt32
    var port: UInt16
    var meta: UInt16

    /// 4 B address + 2 B port, network order (BEP 23).
    static var compactSize: Int { 6 }

    init(address: UInt32, port: UInt16, meta: UInt16 = 0) {
        self.address = address
        self.port = port
        self.meta = meta
    }

    init(_ address: IPv4Address, port: UInt16, meta: UInt16 = 0) {
        self.init(address: address.rawValue, port: port, meta: meta)
    }

    @inline(__always)
    func hasSameEndpoint(as other: Peer4) -> Bool {
        address == other.address && port == other.port
    }

    @inline(__always)
    func endpointHash(seed: UInt64) -> UInt64 {
        mixBits(seed ^ (UInt64(address) << 16 | UInt64(port)))
    }

    /// One 8-byte store: address and port in network order, then 2 scratch bytes.
    static var paddedSize: Int { 8 }

    @inline(__always)
    func writeCompactPadded(into span: inout MutableRawSpan, at offset: Int) {
        // Little-endian memory order: bytes 0–3 the address, 4–5 the port (both big-endian).
        let word = UInt64(address.bigEndian) | UInt64(port.bigEndian) << 32
        span.storeBytes(of: word.littleEndian, toByteOffset: offset, as: UInt64.self)
    }

    func writeCompact(into span: inout MutableRawSpan, at offset: Int) {
        span.storeBytes(of: address.bigEndian, toByteOffset: offset, as: UInt32.self)
        span.storeBytes(of: port.bigEndian, toByteOffset: offset + 4, as: UInt16.self)
    }
}
