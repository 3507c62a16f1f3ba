/// An IPv6 peer in 20 bytes. The address is four `UInt32`s, not two `UInt64`s: 8-byte alignment
/// would pad the record to 24 B.
struct Peer6: CompactPeer, Equatable {
    var a0: UInt32
    var a1: UInt32
    var a2: UInt32
    var a3: UInt32
    var port: UInt16
    var meta: UInt16

    /// 16 B address + 2 B port, network order (BEP 7).
    static var compactSize: Int { 18 }

    init(_ address: IPv6Address, port: UInt16, meta: UInt16 = 0) {
        self.a0 = UInt32(truncatingIfNeeded: address.high >> 32)
        self.a1 = UInt32(truncatingIfNeeded: address.high)
        self.a2 = UInt32(truncatingIfNeeded: address.low >> 32)
        self.a3 = UInt32(truncatingIfNeeded: address.low)
        self.port = port
        self.meta = meta
    }

    var address: IPv6Address {
        IPv6Address(high: UInt64(a0) << 32 | UInt64(a1), low: UInt64(a2) << 32 | UInt64(a3))
    }

    @inline(__always)
    func hasSameEndpoint(as other: Peer6) -> Bool {
        a0 == other.a0 && a1 == other.a1 && a2 == other.a2 && a3 == other.a3 && port == other.port
    }

    @inline(__always)
    func endpointHash(seed: UInt64) -> UInt64 {
        let high = UInt64(a0) << 32 | UInt64(a1)
        let low = UInt64(a2) << 32 | UInt64(a3)
        return mixBits(mixBits(seed ^ high) ^ low ^ UInt64(port) << 48)
    }

    static var paddedSize: Int { compactSize }

    @inline(__always)
    func writeCompactPadded(into span: inout MutableRawSpan, at offset: Int) {
        writeCompact(into: &span, at: offset)
    }

    /// Range-checked all the same: IPv6 replies are rare, so a checked copy of `writeCompact`
    /// in unchecked stores would be unsafe code for no measured gain.
    @unsafe @inline(__always)
    func writeCompactPadded(into span: inout MutableRawSpan, uncheckedAt offset: Int) {
        writeCompact(into: &span, at: offset)
    }

    func writeCompact(into span: inout MutableRawSpan, at offset: Int) {
        span.storeBytes(of: a0.bigEndian, toByteOffset: offset, as: UInt32.self)
        span.storeBytes(of: a1.bigEndian, toByteOffset: offset + 4, as: UInt32.self)
        span.storeBytes(of: a2.bigEndian, toByteOffset: offset + 8, as: UInt32.self)
        span.storeBytes(of: a3.bigEndian, toByteOffset: offset + 12, as: UInt32.self)
        span.storeBytes(of: port.bigEndian, toByteOffset: offset + 16, as: UInt16.self)
    }
}
