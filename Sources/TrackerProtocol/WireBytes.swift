// Big-endian integer access for BEP 15 packets.
//
// Every BEP 15 field is in network byte order. Reads compose bytes from a `Span<UInt8>` so they are
// bounds-checked and safe under `.strictMemorySafety()` without any `Unsafe*Pointer`; callers check
// the packet length once up front, so these checks never fail on untrusted input.
public enum WireBytes {
    @inlinable @inline(__always)
    public static func uint16(_ bytes: Span<UInt8>, at offset: Int) -> UInt16 {
        UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    @inlinable @inline(__always)
    public static func uint32(_ bytes: Span<UInt8>, at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16
            | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    @inlinable @inline(__always)
    public static func uint64(_ bytes: Span<UInt8>, at offset: Int) -> UInt64 {
        UInt64(uint32(bytes, at: offset)) << 32 | UInt64(uint32(bytes, at: offset + 4))
    }

    @inlinable @inline(__always)
    public static func store(_ value: UInt64, into span: inout MutableRawSpan, at offset: Int) {
        span.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt64.self)
    }

    @inlinable @inline(__always)
    public static func store(_ value: UInt32, into span: inout MutableRawSpan, at offset: Int) {
        span.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt32.self)
    }

    @inlinable @inline(__always)
    public static func store(_ value: UInt16, into span: inout MutableRawSpan, at offset: Int) {
        span.storeBytes(of: value.bigEndian, toByteOffset: offset, as: UInt16.self)
    }

    // Big-endian writes through `MutableSpan<UInt8>` subscripts: `MutableSpan.mutableBytes` is
    // unsafe under strict memory safety, byte stores are not (the snapshot encoder uses these).

    @inlinable @inline(__always)
    public static func store(_ value: UInt16, into span: inout MutableSpan<UInt8>, at offset: Int) {
        span[offset] = UInt8(truncatingIfNeeded: value >> 8)
        span[offset + 1] = UInt8(truncatingIfNeeded: value)
    }

    @inlinable @inline(__always)
    public static func store(_ value: UInt32, into span: inout MutableSpan<UInt8>, at offset: Int) {
        span[offset] = UInt8(truncatingIfNeeded: value >> 24)
        span[offset + 1] = UInt8(truncatingIfNeeded: value >> 16)
        span[offset + 2] = UInt8(truncatingIfNeeded: value >> 8)
        span[offset + 3] = UInt8(truncatingIfNeeded: value)
    }

    @inlinable @inline(__always)
    public static func store(_ value: UInt64, into span: inout MutableSpan<UInt8>, at offset: Int) {
        store(UInt32(truncatingIfNeeded: value >> 32), into: &span, at: offset)
        store(UInt32(truncatingIfNeeded: value), into: &span, at: offset + 4)
    }
}
