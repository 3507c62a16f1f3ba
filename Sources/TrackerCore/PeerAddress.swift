/// The source address of a request. Families are kept apart: a reply carries only one peer size (BEP 15).
public enum PeerAddress: Hashable, Sendable {
    case v4(IPv4Address)
    case v6(IPv6Address)

    public var isIPv6: Bool {
        if case .v6 = self { return true }
        return false
    }
}
