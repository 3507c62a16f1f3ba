// Big-endian integer access for BEP 15 packets.
//
// Every BEP 15 field is in network byte order. Reads are one unaligned load from the span's bytes
// (a range check, a load and a byte swap: per-byte reads cost ~6× more instructions on the
// announce path), bounds-checked without any `Unsafe*Pointer`; callers check the packet length
// once up front, so these checks never fail on untrusted input.
public enum WireBytes {
    @inlinable @inline(__always)
    public static func uint16(_ bytes: Span<UInt8>, at offset: Int) -> UInt16 {
        // SAFETY: every bit pattern is a valid UInt16, and RawSpan checks offset..<offset+2
        // against the packet (a trap, never an out-of-bounds read; callers check lengths first).
        UInt16(bigEndian: unsafe bytes.bytes.unsafeLoadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inlinable @inline(__always)
    public static func uint32(_ bytes: Span<UInt8>, at offset: Int) -> UInt32 {
        // SAFETY: as in `uint16`: any bit pattern is valid, the range is checked.
        UInt32(bigEndian: unsafe bytes.bytes.unsafeLoadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inlinable @inline(__always)
    public static func uint64(_ bytes: Span<UInt8>, at offset: Int) -> UInt64 {
        // SAFETY: as in `uint16`: any bit pattern is valid, the range is checked.
        UInt64(bigEndian: unsafe bytes.bytes.unsafeLoadUnaligned(fromByteOffset: offset, as: UInt64.self))
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
