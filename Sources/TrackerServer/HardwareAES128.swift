import TrackerCore
import TrackerIO

/// AES-128 on the CPU's AES instructions where it has them, else TrackerCore's `SoftwareAES128`:
/// the same cipher either way, so every node of a cluster issues and accepts the same connection
/// IDs. The round keys are expanded by the software cipher and copied once into their own aligned
/// allocation, which the hot path reads through a pointer (no reference counting, no copy). The
/// value stays three words: the handler's connection-ID generator is copied onto the stack for
/// each check, and a software schedule held inline made that a 240-byte memcpy per request.
/// `@unchecked Sendable`: that pointer's memory is written once, in init, and only read after.
public struct HardwareAES128: AES128Cipher, @unchecked Sendable {
    /// Whether encryption runs on the AES instructions (read once, at init).
    public let accelerated: Bool
    private let storage: RoundKeyStorage
    private let roundKeys: UnsafeRawPointer

    public init(key: Block128) {
        self.init(key: key, accelerated: AESInstructions.available())
    }

    /// `accelerated: false` forces the software cipher (tests compare the two on one machine).
    init(key: Block128, accelerated: Bool) {
        self.accelerated = accelerated
        storage = RoundKeyStorage(SoftwareAES128(key: key))
        roundKeys = UnsafeRawPointer(storage.base)
    }

    @inline(__always)
    public func encrypt(_ block: Block128) -> Block128 {
        guard accelerated else { return storage.encryptInSoftware(block) }
        // The call reads the keys through the raw pointer only, so `storage` is kept alive across
        // it explicitly (Swift may end a reference's life at its last use).
        return withExtendedLifetime(storage) {
            // SAFETY: `roundKeys` is `storage`'s allocation, alive for this closure, holding the 11
            // round keys in AESInstructions' layout; `accelerated` came from AESInstructions.available().
            let result = unsafe AESInstructions.encrypt(low: block.low, high: block.high, roundKeys: roundKeys)
            return Block128(low: result.low, high: result.high)
        }
    }
}

/// The connection IDs the daemon issues and checks.
public typealias TrackerConnectionIDs = ConnectionIDGenerator<HardwareAES128>

/// One expanded key in AESInstructions' layout, freed with the last cipher value that holds it,
/// and the software cipher for CPUs without the instructions. Written only in init, so sharing it
/// between worker threads is safe.
private final class RoundKeyStorage: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let software: SoftwareAES128

    init(_ software: SoftwareAES128) {
        self.software = software
        let keys = software.roundKeys
        base = UnsafeMutableRawPointer.allocate(
            byteCount: AESInstructions.roundKeysByteCount, alignment: AESInstructions.roundKeysAlignment)
        for round in 0..<11 {
            // SAFETY: 11 × 16 bytes allocated just above; each key is stored as its low then high word.
            unsafe base.storeBytes(of: keys[round].low, toByteOffset: 16 * round, as: UInt64.self)
            unsafe base.storeBytes(of: keys[round].high, toByteOffset: 16 * round + 8, as: UInt64.self)
        }
    }

    @inline(never)
    func encryptInSoftware(_ block: Block128) -> Block128 {
        software.encrypt(block)
    }

    deinit {
        // SAFETY: allocated in init, freed once, here; no cipher value outlives this object.
        unsafe base.deallocate()
    }
}
