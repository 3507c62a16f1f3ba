import TrackerCore
import TrackerIO

extension PeerEndpoint {
    /// The core's view of a datagram's source: `::ffff:a.b.c.d` (a dual-stack socket) is the IPv4
    /// peer a.b.c.d (`PeerAddress(ipv6High:low:)`).
    @inline(__always)
    init(_ source: DatagramSource) {
        switch source {
        case .v4(let address, let port):
            self.init(address: .v4(IPv4Address(rawValue: address)), port: port)
        case .v6(let high, let low, let port):
            self.init(address: PeerAddress(ipv6High: high, low: low), port: port)
        }
    }
}
