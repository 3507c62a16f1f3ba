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
            withUnsafeBytes(of: v6.address.sin6_addr) { bytes in
                for index in 0..<8 { high = high << 8 | UInt64(bytes[index]) }
                for index in 8..<16 { low = low << 8 | UInt64(bytes[index]) }
            }
            if high == 0, low >> 32 == 0xFFFF { return .v4(IPv4Address(rawValue: UInt32(truncatingIfNeeded: low))) }
            return .v6(IPv6Address(high: high, low: low))
        default:
            return nil
        }
    }

    /// The first address of `X-Forwarded-For` (the client as the first proxy saw it).
    static func forwardedFor(_ headers: HTTPHeadersValue) -> PeerAddress? {
        guard let value = headers.first else { return nil }
        let first = value.utf8.split(separator: UInt8(ascii: ","), maxSplits: 1, omittingEmptySubsequences: false).first
        guard let first, let literal = HTTPAddressLiteral(parsing: first) else { return nil }
        return peerAddress(literal)
    }

    typealias HTTPHeadersValue = [String]
}
