import CLiburingShim

/// The CPU's AES instructions (AES-NI on x86-64, the crypto extension on arm64) for one-block
/// AES-128 encryption: the connection-ID MAC runs on them where the CPU has them (TrackerServer's
/// `HardwareAES128`), one instruction per round instead of a table lookup per byte.
public enum AESInstructions {
    /// Whether this CPU has them (CPUID on x86-64, HWCAP_AES on arm64). Callers ask once and keep
    /// the answer.
    public static func available() -> Bool {
        CLiburingShim_cpu_has_aes() != 0
    }

    /// Round keys laid out for `encrypt`: 11 keys of 16 bytes, each key's bytes in order (its low
    /// then its high little-endian word), 64-byte aligned (three cache lines).
    public static let roundKeysByteCount = 11 * 16
    public static let roundKeysAlignment = 64

    /// Encrypts one block with the expanded key at `roundKeys`. Unsafe: it reads 176 bytes through
    /// a raw pointer, and on a CPU without the instructions it stops the process (SIGILL).
    /// SAFETY (caller): `roundKeys` holds `roundKeysByteCount` readable bytes laid out as above for
    /// the whole call, and `available()` returned true on this machine.
    @unsafe @inline(__always)
    public static func encrypt(low: UInt64, high: UInt64, roundKeys: UnsafeRawPointer) -> (low: UInt64, high: UInt64) {
        let result = unsafe CLiburingShim_aes128_encrypt(roundKeys, CLiburingShim_block128(low: low, high: high))
        return (result.low, result.high)
    }
}
