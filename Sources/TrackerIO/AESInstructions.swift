import CLiburingShim

/// The CPU's AES instructions (AES-NI on x86-64) for one-block AES-128 encryption: the connection-ID
/// MAC runs on them where the CPU has them (TrackerServer's `HardwareAES128`), one instruction per
/// round instead of SipHash's arithmetic or a table lookup per byte.
public enum AESInstructions {
    /// Whether this CPU has them (CPUID). Callers ask once and keep the answer.
    public static func available() -> Bool {
        CLiburingShim_cpu_has_aes() != 0
    }

    /// Round keys laid out for `encrypt`: 11 keys of 16 bytes, each as its low then its high
    /// little-endian word, 64-byte aligned (three cache lines). Allocated once per key.
    public static let roundKeysByteCount = 11 * 16
    public static let roundKeysAlignment = 64

    /// Encrypts one block with the expanded key at `roundKeys`.
    /// SAFETY (caller): `roundKeys` holds `roundKeysByteCount` readable bytes laid out as above,
    /// and `available()` returned true on this machine.
    @inline(__always)
    public static func encrypt(low: UInt64, high: UInt64, roundKeys: UnsafeRawPointer) -> (low: UInt64, high: UInt64) {
        // SAFETY: CLiburingShim_block128 is two UInt64s; the caller vouches for the 176 bytes.
        let result = unsafe CLiburingShim_aes128_encrypt(
            roundKeys.assumingMemoryBound(to: CLiburingShim_block128.self),
            CLiburingShim_block128(low: low, high: high))
        return (result.low, result.high)
    }
}
