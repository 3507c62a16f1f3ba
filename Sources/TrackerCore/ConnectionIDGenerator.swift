import TrackerProtocol

/// Stateless BEP 15 connection IDs: SipHash-2-4 over the source address and a time bucket. The top
/// 63 bits are the MAC, the low bit the bucket's parity, so a check knows which bucket to recompute
/// and needs one MAC. An ID is valid in its bucket and the next one: 1–2 buckets after issue.
///
/// The port is not part of the MAC: BEP 15's ID proves the client can receive at its source
/// *address*. Real clients reuse one ID from several sockets (libtorrent caches it per tracker for
/// the whole process), and carrier-grade NAT rebinds the source port between connect and announce;
/// binding the port only turned those announces into silent drops (docs/ARCHITECTURE.md).
public struct ConnectionIDGenerator: Sendable {
    public let key: (UInt64, UInt64)
    public let bucketSeconds: UInt32

    public init(key: (UInt64, UInt64), bucketSeconds: UInt32 = TrackerDefaults.connectionIDBucket) {
        self.key = key
        self.bucketSeconds = max(bucketSeconds, 1)
    }

    public static func randomKey(using rng: inout some RandomNumberGenerator) -> (UInt64, UInt64) {
        (rng.next(), rng.next())
    }

    public func make(for address: PeerAddress, now: UInt32) -> ConnectionID {
        let bucket = now / bucketSeconds
        return ConnectionID(rawValue: (mac(address, bucket: bucket) & ~1) | UInt64(bucket & 1))
    }

    public func isValid(_ id: ConnectionID, for address: PeerAddress, now: UInt32) -> Bool {
        let current = now / bucketSeconds
        let parity = UInt32(truncatingIfNeeded: id.rawValue & 1)
        // Same parity: issued in this bucket; otherwise in the previous one.
        let issued: UInt32
        if current & 1 == parity {
            issued = current
        } else if current > 0 {
            issued = current - 1
        } else {
            return false
        }
        // One XOR and one compare: no early exit that depends on where the bits differ.
        return (mac(address, bucket: issued) ^ id.rawValue) & ~1 == 0
    }

    /// The MAC of whole 8-byte blocks (one compression each, no byte-at-a-time buffering):
    /// IPv4 one block, `address ‖ bucket ‖ 4` (8 B: a second block cost ~20 % of the MAC on every
    /// connect and announce); IPv6 `high`, `low`, `6`, bucket (32 B). The lengths differ, so the two
    /// families' messages never coincide. 29 bucket bits hold every bucket of the 32-bit clock for
    /// buckets of 8 s or more (the default is 120 s); shorter ones repeat only 2^29 buckets apart,
    /// never within an ID's two-bucket life.
    private func mac(_ address: PeerAddress, bucket: UInt32) -> UInt64 {
        var hasher = SipHash24(key: key)
        switch address {
        case .v4(let address):
            hasher.append(word: UInt64(address.rawValue) << 32 | UInt64(bucket & Self.ipv4BucketMask) << 3 | 4)
        case .v6(let address):
            hasher.append(word: address.high)
            hasher.append(word: address.low)
            hasher.append(word: 6)
            hasher.append(word: UInt64(bucket))
        }
        return hasher.finalize()
    }

    /// The bucket bits that share the IPv4 block with the address and the family tag (bits 0–2).
    static let ipv4BucketMask: UInt32 = (1 << 29) - 1
}
