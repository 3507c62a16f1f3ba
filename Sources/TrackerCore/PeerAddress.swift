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
