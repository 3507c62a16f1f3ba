/// SipHash-2-4 (Aumasson & Bernstein, 2012): a 64-bit keyed MAC, fed incrementally (whole 8-byte
/// blocks on the hot path, single bytes for the reference vectors) without building a byte array.
public struct SipHash24: Sendable {
    private var v0: UInt64
    private var v1: UInt64
    private var v2: UInt64
    private var v3: UInt64
    /// Bytes not yet compressed, little-endian in the low end.
    private var tail: UInt64 = 0
    private var length: UInt64 = 0

    public init(key: (UInt64, UInt64)) {
        // "somepseudorandomlygeneratedbytes", the constants from the paper.
        v0 = key.0 ^ 0x736F_6D65_7073_6575
        v1 = key.1 ^ 0x646F_7261_6E64_6F6D
        v2 = key.0 ^ 0x6C79_6765_6E65_7261
        v3 = key.1 ^ 0x7465_6462_7974_6573
    }

    @inline(__always)
    private mutating func round() {
        v0 &+= v1; v1 = v1.rotated(13); v1 ^= v0; v0 = v0.rotated(32)
        v2 &+= v3; v3 = v3.rotated(16); v3 ^= v2
        v0 &+= v3; v3 = v3.rotated(21); v3 ^= v0
        v2 &+= v1; v1 = v1.rotated(17); v1 ^= v2; v2 = v2.rotated(32)
    }

    @inline(__always)
    private mutating func compress(_ word: UInt64) {
        v3 ^= word
        round(); round()
        v0 ^= word
    }

    public mutating func append(_ byte: UInt8) {
        tail |= UInt64(byte) << ((length & 7) * 8)
        length &+= 1
        if length & 7 == 0 {
            compress(tail)
            tail = 0
        }
    }

    /// Appends a whole 8-byte block: the word's eight bytes in little-endian order, as the paper
    /// reads a block. Only on a block boundary (after whole words), where it is one compression
    /// instead of eight byte appends.
    @inline(__always)
    public mutating func append(word: UInt64) {
        precondition(length & 7 == 0, "SipHash24.append(word:) off a block boundary")
        compress(word)
        length &+= 8
    }

    public consuming func finalize() -> UInt64 {
        compress(tail | (length & 0xFF) << 56)
        v2 ^= 0xFF
        round(); round(); round(); round()
        return v0 ^ v1 ^ v2 ^ v3
    }

    public static func hash(key: (UInt64, UInt64), bytes: some Sequence<UInt8>) -> UInt64 {
        var hasher = SipHash24(key: key)
        for byte in bytes { hasher.append(byte) }
        return hasher.finalize()
    }

    /// Hashes each word as eight little-endian bytes (the paper's word order).
    public static func hash(key: (UInt64, UInt64), words: UInt64...) -> UInt64 {
        var hasher = SipHash24(key: key)
        for word in words { hasher.append(word: word) }
        return hasher.finalize()
    }
}

extension UInt64 {
    @inline(__always)
    fileprivate func rotated(_ count: UInt64) -> UInt64 {
        (self << count) | (self >> (64 - count))
    }
}
