/// A peer's identity in a swarm: packet source address plus announced port. The announced IP field
/// is ignored so a client cannot impersonate another (aquatic 0.9.0 does the same).
public struct PeerEndpoint: Hashable, Sendable {
    public var address: PeerAddress
    public var port: UInt16

    public init(address: PeerAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    public static func v4(_ address: IPv4Address, port: UInt16) -> PeerEndpoint {
        PeerEndpoint(address: .v4(address), port: port)
    }

    public static func v6(_ address: IPv6Address, port: UInt16) -> PeerEndpoint {
        PeerEndpoint(address: .v6(address), port: port)
    }
}
