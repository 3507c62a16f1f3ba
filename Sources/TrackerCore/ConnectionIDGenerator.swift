import TrackerProtocol

/// Stateless BEP 15 connection IDs: AES-CMAC (RFC 4493) over the source address and a time bucket.
/// The ID is the tag's first 8 bytes read as a little-endian word with its low bit (bit 0 of byte
/// 0) replaced by the bucket's parity, so a check knows which bucket to recompute and needs one
/// MAC: 63 MAC bits. An ID is valid in its bucket and the next one: 1–2 buckets after issue. AES
/// is opentracker's cipher for its IDs too; on the CPU's AES instructions (TrackerServer's
/// `HardwareAES128`) the check costs about a third of the SipHash-2-4 it replaced
/// (bench/results/2026-12-07-0500-aes-cmac.md), and `SoftwareAES128` computes the same IDs where
/// they are missing, so cluster nodes sharing a key agree whatever their CPUs.
///
/// The port is not part of the MAC: BEP 15's ID proves the client can receive at its source
/// *address*. Real clients reuse one ID from several sockets (libtorrent caches it per tracker for
/// the whole process), and carrier-grade NAT rebinds the source port between connect and announce;
/// binding the port only turned those announces into silent drops (docs/ARCHITECTURE.md).
public struct ConnectionIDGenerator<Cipher: AES128Cipher>: Sendable {
    public let cmac: AESCMAC<Cipher>
    public let bucketSeconds: UInt32

    /// `key.0` holds the AES key's bytes 0–7, `key.1` bytes 8–15 (little-endian words). The key
    /// itself is not kept: the handler copies this value for each check, so it stays small.
    public init(key: (UInt64, UInt64), bucketSeconds: UInt32 = TrackerDefaults.connectionIDBucket) {
        self.bucketSeconds = max(bucketSeconds, 1)
        cmac = AESCMAC(key: Block128(low: key.0, high: key.1))
    }

    public static func randomKey(using rng: inout some RandomNumberGenerator) -> (UInt64, UInt64) {
        (rng.next(), rng.next())
    }

    public func make(for address: PeerAddress, now: UInt32) -> ConnectionID {
        let bucket = now / bucketSeconds
        return ConnectionID(rawValue: (mac(address, bucket: bucket) & ~1) | UInt64(bucket & 1))
    }

    @inline(__always)
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

    /// The tag's first 8 bytes (SP 800-38B truncates to the leftmost bits). IPv4: one block, the
    /// address and the bucket in `low`, the family tag 4 in `high`; IPv6: two blocks, the address,
    /// then the bucket with the family tag 6. CMAC is a MAC for messages of any length, so the
    /// 16- and 32-byte messages need no further separation; the tags make the layout explicit.
    @inline(__always)
    private func mac(_ address: PeerAddress, bucket: UInt32) -> UInt64 {
        switch address {
        case .v4(let address):
            cmac.tag(Block128(low: UInt64(address.rawValue) << 32 | UInt64(bucket), high: 4)).low
        case .v6(let address):
            cmac.tag(Block128(low: address.high, high: address.low), Block128(low: UInt64(bucket), high: 6)).low
        }
    }
}

/// Connection IDs on the portable cipher (tests, tools; the daemon uses TrackerServer's
/// `TrackerConnectionIDs`, on the CPU's AES instructions where it has them).
public typealias SoftwareConnectionIDGenerator = ConnectionIDGenerator<SoftwareAES128>
