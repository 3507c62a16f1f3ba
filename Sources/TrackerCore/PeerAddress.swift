import TrackerProtocol

/// The source address of a request. Families are kept apart: a reply carries only one peer size (BEP 15).
public enum PeerAddress: Hashable, Sendable {
    case v4(IPv4Address)
    case v6(IPv6Address)

    public var isIPv6: Bool {
        if case .v6 = self { return true }
        return false
    }
}

extension PeerAddress {
    /// An IPv6 address as the core keys it: `::ffff:a.b.c.d` (a dual-stack socket, a proxy) is the
    /// IPv4 peer a.b.c.d, the same identity with 6-byte peers.
    @inlinable
    public init(ipv6High high: UInt64, low: UInt64) {
        if let v4 = IPAddressText.mappedIPv4(high: high, low: low) {
            self = .v4(IPv4Address(rawValue: v4))
        } else {
            self = .v6(IPv6Address(high: high, low: low))
        }
    }

    /// The client network an address belongs to for per-client limits: the IPv4 address itself, or
    /// the IPv6 /64 (one subscriber's prefix; a host can cycle through 2^64 addresses in it). IPv4
    /// keys sit below 2^32 and IPv6 keys have the top bit set, so the families never share a key
    /// (two IPv6 prefixes that differ only in their top bit share one: stricter, never looser).
    public var networkKey: UInt64 {
        switch self {
        case .v4(let v4): UInt64(v4.rawValue)
        case .v6(let v6): v6.high | 1 << 63
        }
    }
}
