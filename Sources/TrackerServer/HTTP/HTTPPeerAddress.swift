import NIOCore
import TrackerCore
import TrackerProtocol

/// Conversions between NIO's and the parser's address forms and the core's `PeerAddress`.
enum HTTPPeerAddress {
    static func peerAddress(_ literal: HTTPAddressLiteral) -> PeerAddress {
        switch literal {
        case .v4(let raw): .v4(IPv4Address(rawValue: raw))
        case .v6(let high, let low): .v6(IPv6Address(high: high, low: low))
        }
    }

    /// The TCP peer. An IPv4-mapped address from a dual-stack socket is the IPv4 peer.
    static func peerAddress(_ address: NIOCore.SocketAddress?) -> PeerAddress? {
        switch address {
        case .v4(let v4):
            return .v4(IPv4Address(rawValue: UInt32(bigEndian: v4.address.sin_addr.s_addr)))
        case .v6(let v6):
            var high: UInt64 = 0
            var low: UInt64 = 0
            // SAFETY: a read-only view of the 16-byte in6_addr copy for the closure's duration;
            // indices 0..<16 stay inside it.
            withUnsafeBytes(of: v6.address.sin6_addr) { bytes in
                for index in 0..<8 { high = high << 8 | UInt64(bytes[index]) }
                for index in 8..<16 { low = low << 8 | UInt64(bytes[index]) }
            }
            return PeerAddress(ipv6High: high, low: low)
        default:
            return nil
        }
    }

    /// The client behind a chain of trusted proxies. `values` are every `X-Forwarded-For` header in
    /// order, each a comma-separated list; each proxy (nginx `$proxy_add_x_forwarded_for`, HAProxy
    /// `option forwardfor`) appends the address it received the request from. Walking from the
    /// right, starting at the TCP peer `proxy`, the client is the first address that is not a
    /// trusted proxy: everything left of it was written by the client and is never believed. If
    /// every hop is trusted, the left-most one; an unparsable entry stops the walk at the last
    /// address a trusted proxy vouched for.
    static func forwardedClient(
        _ values: [String], behind proxy: PeerAddress, trusted: (PeerAddress) -> Bool
    ) -> PeerAddress {
        var client = proxy
        for value in values.reversed() {
            for entry in value.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).reversed() {
                guard let literal = HTTPAddressLiteral(parsing: entry) else { return client }
                client = peerAddress(literal)
                if !trusted(client) { return client }
            }
        }
        return client
    }

}
