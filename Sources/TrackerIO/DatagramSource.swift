#if canImport(Glibc)
import Glibc
#endif

/// A datagram's source address as plain numbers, read straight from the `sockaddr_in` /
/// `sockaddr_in6` the kernel wrote: what the UDP workers and the cluster receiver key peers by.
/// The server maps it onto the core's `PeerEndpoint` (TrackerIO does not know the core).
public enum DatagramSource: Sendable, Equatable {
    case v4(address: UInt32, port: UInt16)
    /// The address as big-endian halves; IPv4-mapped addresses are left to the core to fold.
    case v6(high: UInt64, low: UInt64, port: UInt16)

    /// Offsets from <netinet/in.h>: family at 0, port at 2 (network order) in both structures;
    /// the IPv4 address at 4, the IPv6 address at 8 (after the 4-byte flow info). A test checks
    /// them against MemoryLayout.
    @usableFromInline static let portOffset = 2
    @usableFromInline static let ipv4Offset = 4
    @usableFromInline static let ipv6Offset = 8

    /// Nil for any family but AF_INET and AF_INET6. Inlined into the per-packet path: loads only.
    @inlinable
    public init?(sockaddr source: UnsafeRawPointer) {
        // SAFETY: `source` points at a sockaddr the kernel filled: at least sizeof(sockaddr_in)
        // bytes, sizeof(sockaddr_in6) when the family is AF_INET6. Unaligned loads of plain
        // integers inside those sizes; any bit pattern is a valid integer.
        let family = unsafe source.loadUnaligned(as: sa_family_t.self)
        let port = UInt16(bigEndian: unsafe source.loadUnaligned(fromByteOffset: Self.portOffset, as: UInt16.self))
        switch Int32(family) {
        case AF_INET:
            let address = UInt32(bigEndian: unsafe source.loadUnaligned(fromByteOffset: Self.ipv4Offset, as: UInt32.self))
            self = .v4(address: address, port: port)
        case AF_INET6:
            let high = UInt64(bigEndian: unsafe source.loadUnaligned(fromByteOffset: Self.ipv6Offset, as: UInt64.self))
            let low = UInt64(bigEndian: unsafe source.loadUnaligned(fromByteOffset: Self.ipv6Offset + 8, as: UInt64.self))
            self = .v6(high: high, low: low, port: port)
        default:
            return nil
        }
    }

    /// The source of a `SocketAddress` (a received cluster datagram, a test).
    public init?(_ address: SocketAddress) {
        guard let source = address.withSockAddr({ pointer, _ in DatagramSource(sockaddr: UnsafeRawPointer(pointer)) })
        else { return nil }
        self = source
    }

    public var port: UInt16 {
        switch self {
        case .v4(_, let port), .v6(_, _, let port): port
        }
    }
}
