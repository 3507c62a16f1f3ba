#if canImport(Glibc)
import Glibc
#endif
import TrackerIO

/// The bare kernel path for bench/compare: answers BEP 15 requests without any tracker logic, on
/// the same engine (UDPWorkerEngine) RingTracker uses. connect → a fixed connection ID (never
/// checked), announce → an empty 20-byte reply, scrape → zero counts for each hash. Like the
/// reference's limit_echo responders, it never sends an error, so clients never reconnect.
struct NullResponder: DatagramHandler {
    static let connectionID: UInt64 = 0x5249_4E47_464C_4F4F   // "RINGFLOO"
    static let interval: UInt32 = 1800
    var answered: UInt64 = 0

    mutating func handleDatagram(_ payload: UnsafeRawBufferPointer, source: UnsafeRawPointer,
                                 reply: UnsafeMutableRawBufferPointer) -> Int {
        guard payload.count >= 16 else { return 0 }
        // SAFETY: payload has ≥ 16 bytes; reply has replyCapacity (1280) bytes, checked below.
        let action = UInt32(bigEndian: payload.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        let tid = payload.loadUnaligned(fromByteOffset: 12, as: UInt32.self)   // echoed as is
        switch action {
        case 0:
            guard reply.count >= 16 else { return 0 }
            reply.storeBytes(of: UInt32(0).bigEndian, toByteOffset: 0, as: UInt32.self)
            reply.storeBytes(of: tid, toByteOffset: 4, as: UInt32.self)
            reply.storeBytes(of: Self.connectionID.bigEndian, toByteOffset: 8, as: UInt64.self)
            answered &+= 1
            return 16
        case 1:
            guard payload.count >= 98, reply.count >= 20 else { return 0 }
            reply.storeBytes(of: UInt32(1).bigEndian, toByteOffset: 0, as: UInt32.self)
            reply.storeBytes(of: tid, toByteOffset: 4, as: UInt32.self)
            reply.storeBytes(of: Self.interval.bigEndian, toByteOffset: 8, as: UInt32.self)
            reply.storeBytes(of: UInt64(0), toByteOffset: 12, as: UInt64.self)
            answered &+= 1
            return 20
        case 2:
            let hashes = min((payload.count - 16) / 20, 74)
            let length = 8 + 12 * hashes
            guard hashes > 0, reply.count >= length else { return 0 }
            reply.storeBytes(of: UInt32(2).bigEndian, toByteOffset: 0, as: UInt32.self)
            reply.storeBytes(of: tid, toByteOffset: 4, as: UInt32.self)
            for offset in stride(from: 8, to: length, by: 4) { reply.storeBytes(of: UInt32(0), toByteOffset: offset, as: UInt32.self) }
            answered &+= 1
            return length
        default:
            return 0
        }
    }

    mutating func tick() {}
}
