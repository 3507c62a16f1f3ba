import Glibc
import TrackerCore

/// Converts the kernel's `sockaddr_in` / `sockaddr_in6` into the core's `PeerEndpoint`.
enum SocketEndpoint {
    /// Offsets from <netinet/in.h>: family at 0, port at 2 (network order) in both structures;
    /// IPv4 address at 4, IPv6 address at 8 (after the 4-byte flow info).
    private static let portOffset = 2
    private static let ipv4Offset = 4
    private static let ipv6Offset = 8

    static func peerEndpoint(_ source: UnsafeRawPointer) -> PeerEndpoint? {
        // SAFETY: `source` points at a sockaddr the kernel filled (at least sizeof(sockaddr_in)
        // bytes, sizeof(sockaddr_in6) when the family is AF_INET6); unaligned loads only.
        let family = unsafe source.loadUnaligned(as: sa_family_t.self)
        let port = UInt16(bigEndian: unsafe source.loadUnaligned(fromByteOffset: portOffset, as: UInt16.self))
        switch Int32(family) {
        case AF_INET:
            let raw = UInt32(bigEndian: unsafe source.loadUnaligned(fromByteOffset: ipv4Offset, as: UInt32.self))
            return PeerEndpoint(address: .v4(IPv4Address(rawValue: raw)), port: port)
        case AF_INET6:
            let high = UInt64(bigEndian: unsafe source.loadUnaligned(fromByteOffset: ipv6Offset, as: UInt64.self))
            let low = UInt64(bigEndian: unsafe source.loadUnaligned(fromByteOffset: ipv6Offset + 8, as: UInt64.self))
            return PeerEndpoint(address: PeerAddress(ipv6High: high, low: low), port: port)
        default:
            return nil
        }
    }
}

/// Wall-clock seconds for the core (connection-ID buckets must agree across cluster nodes).
public enum WallClock {
    public static func seconds() -> UInt32 {
        var spec = timespec()
        // CLOCK_REALTIME_COARSE is a vDSO read of the last tick: second resolution is all we need.
        clock_gettime(CLOCK_REALTIME_COARSE, &spec)
        return UInt32(truncatingIfNeeded: spec.tv_sec)
    }
}
