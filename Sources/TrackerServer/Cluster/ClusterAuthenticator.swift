import Crypto
import TrackerCore

/// The MAC trailer of RingTracker's sync packets: HMAC-SHA256 (swift-crypto) truncated to 96
/// bits over header, entries, magic, timestamp and sequence; plus the freshness checks that make
/// a captured packet useless later: a timestamp window and a per-sender sequence window.
struct ClusterAuthenticator: Sendable {
    /// Packets older or newer than this (seconds) are stale. Nodes keep NTP time; 30 s allows the
    /// 1 s flush delay, queueing and modest clock skew.
    static let freshnessWindow: UInt32 = 30
    /// A cluster key shorter than this is refused (128 bits, NIST SP 800-107 for HMAC keys).
    static let minimumKeyBytes = 16

    /// Raw key bytes (swift-crypto's SymmetricKey is not Sendable; one is made per packet, off the hot path).
    let keyBytes: [UInt8]

    init(keyBytes: [UInt8]) {
        self.keyBytes = keyBytes
    }

    /// The truncated MAC over `bytes`.
    func mac(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        let key = SymmetricKey(data: keyBytes)
        return Array(HMAC<SHA256>.authenticationCode(for: bytes, using: key).prefix(LivesyncFormat.macSize))
    }

    /// Checks a received packet's trailer in constant time over the MAC bytes.
    func isAuthentic(_ packet: ArraySlice<UInt8>, trailer: LivesyncTrailer) -> Bool {
        let start = packet.startIndex
        guard trailer.macOffset + LivesyncFormat.macSize == packet.count else { return false }
        let expected = mac(packet[start..<(start + trailer.macOffset)])
        var difference: UInt8 = 0
        for index in 0..<LivesyncFormat.macSize { difference |= expected[index] ^ packet[start + trailer.macOffset + index] }
        return difference == 0
    }

    static func isFresh(_ timestamp: UInt32, now: UInt32) -> Bool {
        let skew = timestamp > now ? timestamp - now : now - timestamp
        return skew <= freshnessWindow
    }
}

/// Sequence numbers seen from one sender (keyed by its random per-start tracker id, so a restarted
/// node starts a fresh window): the highest plus a 64-bit bitmap of the ones just below it, as
/// IPsec's anti-replay window (RFC 4303 §3.4.3).
struct ReplayWindow: Sendable {
    static let width: UInt32 = 64
    private var highest: UInt32 = 0
    private var seen: UInt64 = 0
    private var started = false

    /// True (and remembered) for a sequence number not seen before and not too old to tell.
    mutating func accept(_ sequence: UInt32) -> Bool {
        guard started else {
            started = true
            highest = sequence
            seen = 1
            return true
        }
        if sequence > highest {
            let shift = sequence - highest
            seen = shift >= Self.width ? 1 : (seen << UInt64(shift)) | 1
            highest = sequence
            return true
        }
        let behind = highest - sequence
        guard behind < Self.width else { return false }
        let bit = UInt64(1) << UInt64(behind)
        guard seen & bit == 0 else { return false }
        seen |= bit
        return true
    }
}
