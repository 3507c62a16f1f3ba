import TrackerProtocol

/// Stateless BEP 15 connection IDs: SipHash-2-4 over address ‖ port ‖ time bucket. The top 63 bits
/// are the MAC, the low bit the bucket's parity, so a check knows which bucket to recompute and
/// needs one MAC. An ID is valid in its bucket and the next one: 1–2 buckets after issue.
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

    public func make(for endpoint: PeerEndpoint, now: UInt32) -> ConnectionID {
        let bucket = now / bucketSeconds
        return ConnectionID(rawValue: (mac(endpoint, bucket: bucket) & ~1) | UInt64(bucket & 1))
    }

    public func isValid(_ id: ConnectionID, for endpoint: PeerEndpoint, now: UInt32) -> Bool {
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
        return (mac(endpoint, bucket: issued) ^ id.rawValue) & ~1 == 0
    }

    /// The MAC of whole 8-byte blocks (one compression each, no byte-at-a-time buffering):
    /// IPv4 `address ‖ port ‖ 4`, bucket (16 B); IPv6 `high`, `low`, `port ‖ 6`, bucket (32 B).
    /// The lengths differ, so the two families' messages never coincide.
    private func mac(_ endpoint: PeerEndpoint, bucket: UInt32) -> UInt64 {
        var hasher = SipHash24(key: key)
        let port = UInt64(endpoint.port) << 16
        switch endpoint.address {
        case .v4(let address):
            hasher.append(word: UInt64(address.rawValue) << 32 | port | 4)
        case .v6(let address):
            hasher.append(word: address.high)
            hasher.append(word: address.low)
            hasher.append(word: port | 6)
        }
        hasher.append(word: UInt64(bucket))
        return hasher.finalize()
    }
}
